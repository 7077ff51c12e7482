"""BUG: the plain mean of the clients' states: every client counts the same, whatever its sample count.

expect: fail weighted average, floating buffers averaged, float64
"""
import torch


def fedavg(global_model, client_states, num_samples):
    largest = num_samples.index(max(num_samples))
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            if target.is_floating_point():
                target.copy_(torch.stack([s[name] for s in client_states]).mean(dim=0))
            else:
                target.copy_(client_states[largest][name])
