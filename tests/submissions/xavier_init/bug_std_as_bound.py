"""BUG: uses the standard deviation sqrt(2 / (fan_in + fan_out)) as the bound of the uniform
distribution: its variance is then a third of Xavier's.
expect: fail the bound a
"""
import math

import torch


def _fans(tensor):
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    a = gain * math.sqrt(2.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
