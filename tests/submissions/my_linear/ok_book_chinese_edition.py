"""The book's Chinese edition: `super(MyLinear, self).__init__()` and the layer written as in
section 5.4 (自定义层), with the parameters themselves where the book reads `.data`, so that gradients
flow.

expect: pass
"""

import torch
from torch import nn
from torch.nn import functional as F


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super(MyLinear, self).__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight) + self.bias
        return F.relu(linear)
