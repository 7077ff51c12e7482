"""Exercise my_linear (D2L 6.5): write a fully connected layer with its own registered parameters."""

import torch
from torch import nn


class MyLinear(nn.Module):
    """A fully connected layer followed by ReLU: forward(X) = relu(X @ weight + bias).

    D2L 6.5, custom layers (layers with parameters):
    https://d2l.ai/chapter_builders-guide/custom-layer.html

    What to implement
        __init__(in_units, units): call super().__init__(), then register two parameters with
        the book's names, as nn.Parameter attributes: self.weight of shape (in_units, units)
        and self.bias of shape (units,) (the book fills them with torch.randn).
        forward(X): X is (n, in_units); return relu(X @ self.weight + self.bias), (n, units).

    Conventions
        - The grader loads the reference's weights into your layer by these names and checks
          the outputs, the gradients of weight, bias and X, .to(torch.float64) and a
          load_state_dict(state_dict()) round trip.
        - Parameters must be registered: a tensor attribute that is not an nn.Parameter, or
          layers kept in a plain Python list, are invisible to parameters(), optimisers, .to()
          and state_dict().
        - Editions: both editions' forward uses self.weight.data and self.bias.data, which cuts
          the parameters off the graph. Use self.weight and self.bias so gradients reach them.
          The weight is (in_units, units) as in the book, the transpose of nn.Linear's.

    Forbidden
        nn.Linear, nn.LazyLinear, nn.Bilinear, F.linear, F.bilinear.
    """

    def __init__(self, in_units: int, units: int):
        super().__init__()
        raise NotImplementedError("MyLinear: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("MyLinear.forward: fill in this function")
