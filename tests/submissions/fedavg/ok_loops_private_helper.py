"""OK: loops over named_parameters and named_buffers with a private helper for the weighted sum; the
largest client found by a strict > loop (the first on a tie).

expect: pass
"""
import torch


def _weighted(client_states, name, weights):
    out = torch.zeros_like(client_states[0][name])
    for state, w in zip(client_states, weights):
        out = out + w * state[name]
    return out


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    weights = [n / total for n in num_samples]
    largest = 0
    for k in range(1, len(num_samples)):
        if num_samples[k] > num_samples[largest]:
            largest = k
    with torch.no_grad():
        for name, p in global_model.named_parameters():
            p.copy_(_weighted(client_states, name, weights))
        for name, b in global_model.named_buffers():
            if torch.is_floating_point(b):
                b.copy_(_weighted(client_states, name, weights))
            else:
                b.copy_(client_states[largest][name])
