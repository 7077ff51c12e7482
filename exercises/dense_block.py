"""Exercise dense_block (D2L 8.7): the book's conv_block, DenseBlock and transition_block."""

import torch
from torch import nn


def conv_block(input_channels: int, num_channels: int) -> nn.Module:
    """Batch norm, ReLU, then a 3x3 convolution with padding 1, as one nn.Sequential.

    D2L 8.7, densely connected networks (DenseNet):
    https://d2l.ai/chapter_convolutional-modern/densenet.html

    What to implement
        Return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1)), in this order.

    Conventions
        - The grader loads the reference's weights by position in the Sequential: 0.weight and
          0.bias for the batch norm, 2.weight and 2.bias for the convolution.
        - nn.BatchNorm2d, nn.ReLU and nn.Conv2d are allowed: the exercise is the order and wiring.
        - Editions: the Chinese second edition and the classic English edition take input_channels,
          as here; the newer English edition uses nn.LazyBatchNorm2d and nn.LazyConv2d.

    Forbidden: nothing; nn.BatchNorm2d, nn.Conv2d and nn.AvgPool2d are allowed (the exercise is the
    wiring) and torch has no dense block of its own. torchvision, whose DenseNet has one, is not an
    allowed import.
    """
    raise NotImplementedError("conv_block: fill in this function")


class DenseBlock(nn.Module):
    """num_convs conv blocks; each block's output is concatenated after its input.

    D2L 8.7, the dense block: https://d2l.ai/chapter_convolutional-modern/densenet.html

    What to implement
        __init__(num_convs, input_channels, num_channels): self.net = nn.Sequential of num_convs
        conv_block(input_channels + i * num_channels, num_channels) for i = 0, 1, ...
        forward(X): for each block, Y = blk(X), then X = torch.cat((X, Y), dim=1); return X.

    Conventions
        - Concatenate on the channel dimension (dim=1), the input first and the new output after
          it: the result has input_channels + num_convs * num_channels channels, and its first
          input_channels channels are X itself.
        - Keep the blocks in nn.Sequential (or nn.ModuleList) named net: blocks in a plain Python
          list are not registered, so parameters(), optimisers, .to() and state_dict() miss them.
        - The grader checks training mode and evaluation mode (.eval()), loading the reference's
          weights and running statistics by name (net.0.0.weight, ...).
        - Editions: the newer English edition drops input_channels: DenseBlock(num_convs, num_channels).

    Forbidden: nothing; nn.BatchNorm2d, nn.Conv2d and nn.AvgPool2d are allowed (the exercise is the
    wiring) and torch has no dense block of its own. torchvision, whose DenseNet has one, is not an
    allowed import.
    """

    def __init__(self, num_convs: int, input_channels: int, num_channels: int):
        super().__init__()
        raise NotImplementedError("DenseBlock: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("DenseBlock.forward: fill in this function")


def transition_block(input_channels: int, num_channels: int) -> nn.Module:
    """The transition layer: batch norm, ReLU, a 1x1 convolution, then 2x2 average pooling.

    D2L 8.7, transition layers: https://d2l.ai/chapter_convolutional-modern/densenet.html

    What to implement
        Return nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=1), nn.AvgPool2d(kernel_size=2, stride=2)).

    Conventions
        - It maps the channels to num_channels and halves the height and width (rounding down).
        - nn.AvgPool2d is allowed here (pool2d is a separate exercise).

    Forbidden: nothing; nn.BatchNorm2d, nn.Conv2d and nn.AvgPool2d are allowed (the exercise is the
    wiring) and torch has no dense block of its own. torchvision, whose DenseNet has one, is not an
    allowed import.
    """
    raise NotImplementedError("transition_block: fill in this function")
