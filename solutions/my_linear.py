"""Reference solution for my_linear (D2L 6.5): a fully connected layer with its own parameters."""

import torch
from torch import nn


class MyLinear(nn.Module):
    """relu(X @ weight + bias) with weight (in_units, units) and bias (units,) as nn.Parameters."""

    def __init__(self, in_units: int, units: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return torch.relu(torch.matmul(X, self.weight) + self.bias)
