"""A learner's own private names: a module-level constant `_GAIN` and helper `_relu`, a private flag
`self._f` holding the activation and a private method `self._affine`.

expect: pass
"""

import torch
from torch import nn

_GAIN = 1.0


def _relu(X):
    return torch.maximum(X, torch.zeros_like(X))


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units) * _GAIN)
        self.bias = nn.Parameter(torch.randn(units))
        self._f = _relu

    def _affine(self, X):
        return X @ self.weight + self.bias

    def forward(self, X):
        return self._f(self._affine(X))
