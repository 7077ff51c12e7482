"""BUG: the largest client found with >= in a loop: on a tie it is the last such client, not the first.

expect: fail integer buffers from the largest client
"""
import torch


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    largest, most = 0, -1
    for k, n in enumerate(num_samples):
        if n >= most:
            largest, most = k, n
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            if target.is_floating_point():
                target.copy_(sum(s[name] * (n / total) for s, n in zip(client_states, num_samples)))
            else:
                target.copy_(client_states[largest][name])
