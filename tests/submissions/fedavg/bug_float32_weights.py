"""BUG: the weights made a float32 tensor: a float64 average is rounded to float32 precision.

expect: fail float64
"""
import torch


def fedavg(global_model, client_states, num_samples):
    weights = torch.tensor(num_samples, dtype=torch.float32)
    weights = weights / weights.sum()
    largest = num_samples.index(max(num_samples))
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            if target.is_floating_point():
                stacked = torch.stack([s[name] for s in client_states]).float()
                w = weights.to(stacked.device).reshape(-1, *([1] * (stacked.dim() - 1)))
                target.copy_((w * stacked).sum(dim=0))
            else:
                target.copy_(client_states[largest][name])
