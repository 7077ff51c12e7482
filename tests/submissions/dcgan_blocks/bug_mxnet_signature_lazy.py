"""BUG: the MXNet tab's signature carried over, G_block(channels, kernel_size=4, strides=2, padding=1) with no
in_channels (Gluon infers it), built with lazy layers in PyTorch: the book's PyTorch calls pass in_channels.

expect: fail G_block; G_block strides and padding; D_block
"""
import torch
from torch import nn


class G_block(nn.Module):
    def __init__(self, channels, kernel_size=4, strides=2, padding=1, **kwargs):
        super(G_block, self).__init__(**kwargs)
        self.conv2d_trans = nn.LazyConvTranspose2d(channels, kernel_size, strides, padding, bias=False)
        self.batch_norm = nn.LazyBatchNorm2d()
        self.activation = nn.ReLU()

    def forward(self, X):
        return self.activation(self.batch_norm(self.conv2d_trans(X)))


class D_block(nn.Module):
    def __init__(self, channels, kernel_size=4, strides=2, padding=1, alpha=0.2, **kwargs):
        super(D_block, self).__init__(**kwargs)
        self.conv2d = nn.LazyConv2d(channels, kernel_size, strides, padding, bias=False)
        self.batch_norm = nn.LazyBatchNorm2d()
        self.activation = nn.LeakyReLU(alpha)

    def forward(self, X):
        return self.activation(self.batch_norm(self.conv2d(X)))
