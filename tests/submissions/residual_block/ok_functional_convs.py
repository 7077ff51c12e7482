"""Calls the layers' weights through F.conv2d and the batch norms through F.batch_norm with their
running statistics and self.training: the same block, written functionally.

expect: pass
"""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.strides = strides
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def norm(self, bn, Y):
        return F.batch_norm(Y, bn.running_mean, bn.running_var, bn.weight, bn.bias,
                            training=self.training, momentum=bn.momentum, eps=bn.eps)

    def forward(self, X):
        Y = F.conv2d(X, self.conv1.weight, self.conv1.bias, stride=self.strides, padding=1)
        Y = self.norm(self.bn2, F.conv2d(F.relu(self.norm(self.bn1, Y)), self.conv2.weight, self.conv2.bias,
                                         padding=1))
        if self.conv3 is not None:
            X = F.conv2d(X, self.conv3.weight, self.conv3.bias, stride=self.strides)
        return F.relu(Y + X)
