"""OK: torch.rand scaled to [-a, a] and copied in under a no_grad decorator; the fans from numel.

expect: pass
"""
import math

import torch


@torch.no_grad()
def xavier_uniform_(tensor, gain=1.0):
    per_output = tensor.numel() // tensor.shape[0]            # in * receptive field
    per_input = tensor.numel() // tensor.shape[1]             # out * receptive field
    a = gain * (6 / (per_output + per_input)) ** 0.5
    noise = torch.rand(tensor.shape, dtype=tensor.dtype, device=tensor.device)
    tensor.copy_(noise * (2 * a) - a)
    return tensor
