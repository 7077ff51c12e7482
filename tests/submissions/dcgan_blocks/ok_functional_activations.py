"""OK: the batch norm defined first, keyword arguments to the layers, the activations as functions in forward
with the slope in a private attribute.

expect: pass
"""
import torch
from torch import nn
from torch.nn import functional as F


class G_block(nn.Module):
    def __init__(self, out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, **kwargs):
        super().__init__()
        self.batch_norm = nn.BatchNorm2d(num_features=out_channels)
        self.conv2d_trans = nn.ConvTranspose2d(in_channels=in_channels, out_channels=out_channels,
                                               kernel_size=kernel_size, stride=strides, padding=padding,
                                               bias=False)

    def forward(self, X):
        Y = self.conv2d_trans(X)
        Y = self.batch_norm(Y)
        return F.relu(Y)


class D_block(nn.Module):
    def __init__(self, out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, alpha=0.2, **kwargs):
        super().__init__()
        self._slope = alpha
        self.batch_norm = nn.BatchNorm2d(out_channels)
        self.conv2d = nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=strides,
                                padding=padding, bias=False)

    def forward(self, X):
        return F.leaky_relu(self.batch_norm(self.conv2d(X)), negative_slope=self._slope)
