"""forward casts X to float32, so the float64 layer computes in float32.

expect: fail float64
"""

import torch
from torch import nn


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return torch.relu(X.float() @ self.weight.float() + self.bias.float())
