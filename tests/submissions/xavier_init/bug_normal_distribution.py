"""BUG: Xavier *normal*: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). Same variance,
but values beyond a, and not uniform.
expect: fail the bound a, uniform distribution
"""
import math

import torch


def _fans(tensor):
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.normal_(0, std)
    return tensor
