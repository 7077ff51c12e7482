"""Plain tensors that require grad instead of nn.Parameter: nothing is registered.

expect: fail registered parameters
"""

import torch
from torch import nn


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = torch.randn(in_units, units, requires_grad=True)
        self.bias = torch.randn(units, requires_grad=True)

    def forward(self, X):
        return torch.relu(X @ self.weight + self.bias)
