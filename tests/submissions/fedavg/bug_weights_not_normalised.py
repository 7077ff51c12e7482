"""BUG: weights n_k instead of n_k / n: the global model is sum_k n_k * W_k.

expect: fail weighted average, floating buffers averaged, float64
"""
import torch


def fedavg(global_model, client_states, num_samples):
    largest = num_samples.index(max(num_samples))
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            if target.is_floating_point():
                target.copy_(sum(s[name] * n for s, n in zip(client_states, num_samples)))
            else:
                target.copy_(client_states[largest][name])
