"""The parameters kept in a plain Python list: not registered.

expect: fail registered parameters
"""

import torch
from torch import nn


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.params = [nn.Parameter(torch.randn(in_units, units)), nn.Parameter(torch.randn(units))]

    def forward(self, X):
        weight, bias = self.params
        return torch.relu(X @ weight + bias)
