"""BUG: returns a new tensor drawn like W and leaves W itself as it was.
expect: fail fills in place
"""
import math

import torch


def _fans(tensor):
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return torch.empty_like(tensor).uniform_(-a, a).detach()
