"""BUG: fills the tensor without torch.no_grad(): fine for a plain tensor, refused for a parameter
that requires grad (an in-place change of a leaf that autograd records).
expect: fail a parameter that requires grad
"""
import math

import torch


def _fans(tensor):
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    tensor.uniform_(-a, a)
    return tensor
