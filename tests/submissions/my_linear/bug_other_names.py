"""The parameters registered under other names than the book uses.

expect: fail registered parameters
"""

import torch
from torch import nn


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.W = nn.Parameter(torch.randn(in_units, units))
        self.b = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return torch.relu(X @ self.W + self.b)
