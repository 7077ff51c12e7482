"""Hides F.linear behind a built name.

expect: fail code rules
"""

import torch
from torch import nn


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        fn = getattr(torch.nn.functional, "lin" + "ear")
        return torch.relu(fn(X, self.weight.T, self.bias))
