"""BUG: (cheating): an evenly spaced grid over [-a, a] in a random order: right bounds, a perfect
distribution function, new order every call, but not random draws.
expect: fail independent draws
"""
import math

import torch


def _fans(tensor):
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        n = tensor.numel()
        grid = torch.linspace(-a, a, n, dtype=tensor.dtype, device=tensor.device)
        order = torch.randperm(n, device=tensor.device)
        tensor.copy_(grid[order].reshape(tensor.shape))
    return tensor
