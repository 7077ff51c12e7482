"""Every BatchNorm2d built with momentum=None: a cumulative average of the batches' statistics
instead of the default exponential one, so the running statistics drift from the contract's.

expect: fail running statistics
"""

import torch
from torch import nn


def conv_block(input_channels: int, num_channels: int) -> nn.Module:
    """BatchNorm2d, ReLU, 3x3 Conv2d with padding 1."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels, momentum=None), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """Each conv block's output concatenated after its input on the channel dimension."""

    def __init__(self, num_convs: int, input_channels: int, num_channels: int):
        super().__init__()
        layer = []
        for i in range(num_convs):
            layer.append(conv_block(num_channels * i + input_channels, num_channels))
        self.net = nn.Sequential(*layer)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)
        return X


def transition_block(input_channels: int, num_channels: int) -> nn.Module:
    """BatchNorm2d, ReLU, 1x1 Conv2d, 2x2 average pooling with stride 2."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels, momentum=None), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))
