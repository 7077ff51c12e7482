"""register_parameter, addmm and clamp(min=0) for the ReLU.

expect: pass
"""

import torch
from torch import nn


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.empty(in_units, units).normal_()))
        self.register_parameter("bias", nn.Parameter(torch.zeros(units)))

    def forward(self, X):
        return torch.addmm(self.bias, X, self.weight).clamp(min=0)
