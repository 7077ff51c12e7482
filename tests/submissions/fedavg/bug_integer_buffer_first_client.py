"""BUG: num_batches_tracked taken from the first client, whatever its sample count.

expect: fail integer buffers from the largest client
"""
import torch


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            if target.is_floating_point():
                target.copy_(sum(s[name] * (n / total) for s, n in zip(client_states, num_samples)))
            else:
                target.copy_(client_states[0][name])
