"""BUG: puts the gain inside the square root: sqrt(gain * 6 / (fan_in + fan_out)).
expect: fail the bound a
"""
import math

import torch


def _fans(tensor):
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    a = math.sqrt(gain * 6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
