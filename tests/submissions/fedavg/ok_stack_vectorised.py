"""OK: each floating entry stacked over the clients and reduced with a weight tensor of the entry's dtype
and device; the count from torch.argmax over the counts (its first maximum).

expect: pass
"""
import torch


def fedavg(global_model, client_states, num_samples):
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            stacked = torch.stack([state[name] for state in client_states])
            if stacked.is_floating_point():
                w = torch.tensor(num_samples, dtype=stacked.dtype, device=stacked.device)
                w = (w / w.sum()).reshape(-1, *([1] * target.dim()))
                target.copy_((w * stacked).sum(dim=0))
            else:
                largest = int(torch.argmax(torch.tensor(num_samples)))
                target.copy_(stacked[largest])
