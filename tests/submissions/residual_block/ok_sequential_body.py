"""Layers defined in another order (bn1 right after conv1), an identity module for the missing
shortcut, torch.relu and a new tensor instead of +=.

expect: pass
"""

import torch
from torch import nn


class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, 3, strides, 1)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.conv2 = nn.Conv2d(num_channels, num_channels, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv3 = nn.Conv2d(input_channels, num_channels, 1, strides) if use_1x1conv else None
        self.relu = nn.ReLU()

    def forward(self, X):
        shortcut = X if self.conv3 is None else self.conv3(X)
        Y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(X)))))
        return torch.relu(Y + shortcut)
