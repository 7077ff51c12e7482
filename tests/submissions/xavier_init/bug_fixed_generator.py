"""BUG: draws from a generator of its own, seeded with 0 "for reproducibility": every call gives the
same values.
expect: fail fresh values every call
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
        generator = torch.Generator(device=tensor.device).manual_seed(0)
        tensor.uniform_(-a, a, generator=generator)
    return tensor
