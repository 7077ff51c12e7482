"""The book's Chinese-edition spelling (`super(Residual, self).__init__()`, a private `self._use_proj`)
with a real bug: the shortcut adds X itself whenever the shapes already match, though conv3 was
built. The code rules let the spelling through, so the learner sees the bug, not a policy line.

expect: fail values, gradients
"""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super(Residual, self).__init__()
        self._use_proj = use_1x1conv
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def _shortcut(self, X, Y):
        return X if X.shape == Y.shape or not self._use_proj else self.conv3(X)

    def forward(self, X):
        Y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))
        return F.relu(Y + self._shortcut(X, Y))
