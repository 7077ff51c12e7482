"""The book's Chinese edition: `super(DenseBlock, self).__init__()`, and a private module-level
helper `_bn_relu` for the norm and activation the two blocks share.

expect: pass
"""

import torch
from torch import nn


def _bn_relu(channels):
    return [nn.BatchNorm2d(channels), nn.ReLU()]


def conv_block(input_channels, num_channels):
    return nn.Sequential(*_bn_relu(input_channels), nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super(DenseBlock, self).__init__()
        layer = []
        for i in range(num_convs):
            layer.append(conv_block(num_channels * i + input_channels, num_channels))
        self.net = nn.Sequential(*layer)

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            # 连结通道维度上每个块的输入和输出
            X = torch.cat((X, Y), dim=1)
        return X


def transition_block(input_channels, num_channels):
    return nn.Sequential(
        *_bn_relu(input_channels),
        nn.Conv2d(input_channels, num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))
