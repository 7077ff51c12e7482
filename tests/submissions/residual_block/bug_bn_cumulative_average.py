"""BatchNorm2d built with momentum=None: a cumulative average of the batches' statistics instead of
the default exponential one, so the running statistics drift from the contract's.

expect: fail running statistics
"""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(X))))) + shortcut), the shortcut a strided 1x1 conv or X."""

    def __init__(self, input_channels: int, num_channels: int, use_1x1conv: bool = False, strides: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels, momentum=None)
        self.bn2 = nn.BatchNorm2d(num_channels, momentum=None)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)
