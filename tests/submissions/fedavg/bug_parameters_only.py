"""BUG: averages parameters() only: the running statistics and the count never move.

expect: fail floating buffers averaged, integer buffers from the largest client, float64
"""
import torch


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    with torch.no_grad():
        for name, p in global_model.named_parameters():
            p.copy_(sum(s[name] * (n / total) for s, n in zip(client_states, num_samples)))
