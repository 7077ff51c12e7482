"""Exercise residual_block (D2L 8.6): wire the book's residual block from convolutions and batch norms."""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    """The residual block of ResNet.

    D2L 8.6, residual networks (ResNet):
    https://d2l.ai/chapter_convolutional-modern/resnet.html

    What to implement
        __init__(input_channels, num_channels, use_1x1conv=False, strides=1): call
        super().__init__(), then make the layers with the book's names:
          self.conv1  nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
          self.conv2  nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
          self.conv3  nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) when
                      use_1x1conv is true, otherwise None
          self.bn1, self.bn2  nn.BatchNorm2d(num_channels)
        forward(X): Y = relu(bn1(conv1(X))); Y = bn2(conv2(Y)); add the shortcut (conv3(X) with the
        1x1 convolution, X itself without it); return relu(Y + shortcut).

    Conventions
        - nn.Conv2d and nn.BatchNorm2d are allowed: the exercise is how the block is wired.
        - The stride is on conv1 and on the 1x1 shortcut, never on conv2; every 3x3 convolution has
          padding 1, so without a stride the output keeps the input's height and width.
        - The ReLU comes after the addition.
        - The grader loads the reference's weights (and the batch norms' running statistics) by
          these names, then checks the block in training mode and after .eval().
        - Keep the layers as attributes (or in nn.ModuleList / nn.Sequential): layers in a plain
          Python list are not registered, so parameters(), optimisers, .to() and state_dict()
          miss them.
        - Editions: the Chinese second edition and the classic English edition take input_channels
          and use nn.Conv2d, as here; the newer English edition drops input_channels and uses
          nn.LazyConv2d and nn.LazyBatchNorm2d.

    Forbidden: nothing; nn.Conv2d and nn.BatchNorm2d are allowed (the exercise is the wiring) and
    torch has no residual block of its own. torchvision, whose models have one, is not an allowed import.
    """

    def __init__(self, input_channels: int, num_channels: int, use_1x1conv: bool = False, strides: int = 1):
        super().__init__()
        raise NotImplementedError("Residual: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Residual.forward: fill in this function")
