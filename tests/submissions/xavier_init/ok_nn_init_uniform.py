"""OK: computes the bound itself and lets nn.init.uniform_ (allowed: it is not the Xavier routine) fill
the tensor; nn.init.uniform_ works under no_grad itself.

expect: pass
"""
import math

from torch import nn


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = tensor.size(1), tensor.size(0)
    for k in tensor.shape[2:]:
        fan_in, fan_out = fan_in * k, fan_out * k
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return nn.init.uniform_(tensor, -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
