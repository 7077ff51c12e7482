"""torchvision style: keeps every feature map in a list and concatenates them all for each block; the blocks in an nn.ModuleList, the ReLU in place.

expect: pass
"""

import torch
from torch import nn


def conv_block(input_channels, num_channels):
    return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(inplace=True),
                         nn.Conv2d(input_channels, num_channels, 3, 1, 1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        self.net = nn.ModuleList()
        for i in range(num_convs):
            self.net.append(conv_block(input_channels + i * num_channels, num_channels))

    def forward(self, X):
        features = [X]
        for blk in self.net:
            features.append(blk(torch.cat(features, 1)))
        return torch.cat(features, 1)


def transition_block(input_channels, num_channels):
    layers = [nn.BatchNorm2d(input_channels), nn.ReLU(), nn.Conv2d(input_channels, num_channels, 1),
              nn.AvgPool2d(2)]
    return nn.Sequential(*layers)
