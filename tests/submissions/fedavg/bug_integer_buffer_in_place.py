"""BUG: every entry zeroed and accumulated in place: an int64 count cannot take a float weight in place.

expect: fail weighted average, integer buffers from the largest client, float64, floating buffers averaged, no graph through the update
"""
import torch


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            target.zero_()
            for s, n in zip(client_states, num_samples):
                target.add_(s[name] * (n / total))
