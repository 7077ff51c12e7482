"""BUG: multiplies in the receptive field only for 4-D weights (kh, kw), so a 1-D convolution's
(out, in, k) weight gets the bound of a Linear weight.
expect: fail the bound a
"""
import math

import torch


def _fans(tensor):
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    receptive = tensor.shape[2] * tensor.shape[3] if tensor.dim() == 4 else 1
    fan_in, fan_out = tensor.shape[1] * receptive, tensor.shape[0] * receptive
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
