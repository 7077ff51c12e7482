"""BUG: draws one row of values and repeats it in every row.
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
        row = torch.empty_like(tensor[0]).uniform_(-a, a)
        tensor.copy_(row.expand_as(tensor))
    return tensor
