"""BUG: num_batches_tracked averaged like the floating entries (and truncated by copy_ into int64).

expect: fail integer buffers from the largest client
"""
import torch


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            target.copy_(sum(s[name] * (n / total) for s, n in zip(client_states, num_samples)))
