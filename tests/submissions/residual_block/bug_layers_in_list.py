"""The layers kept in a plain Python list: none of their parameters is registered.

expect: fail registered parameters
"""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.layers = [nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides),
                       nn.BatchNorm2d(num_channels),
                       nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1),
                       nn.BatchNorm2d(num_channels)]
        self.shortcut = [nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)] if use_1x1conv else []

    def forward(self, X):
        conv1, bn1, conv2, bn2 = self.layers
        Y = F.relu(bn1(conv1(X)))
        Y = bn2(conv2(Y))
        for conv in self.shortcut:
            X = conv(X)
        return F.relu(Y + X)
