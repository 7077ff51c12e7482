"""Exercise dcgan_blocks (D2L 20.2): the DCGAN's generator block and discriminator block."""

import torch
from torch import nn


class G_block(nn.Module):
    """The generator's block: a transposed convolution, batch norm, then ReLU.

    D2L 20.2, Deep Convolutional Generative Adversarial Networks:
    https://d2l.ai/chapter_generative-adversarial-networks/dcgan.html

    What to implement
        __init__(out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, **kwargs):
            self.conv2d_trans = nn.ConvTranspose2d(in_channels, out_channels, kernel_size, strides,
                                                   padding, bias=False)
            self.batch_norm = nn.BatchNorm2d(out_channels)
            self.activation = nn.ReLU()
        forward(X): activation(batch_norm(conv2d_trans(X)))

    Shapes
        With the defaults an (N, in_channels, H, W) input becomes (N, out_channels, 2H, 2W): the book's
        G_block(20) maps (2, 3, 16, 16) to (2, 20, 32, 32); G_block(20, strides=1, padding=0) maps
        (2, 3, 1, 1) to (2, 20, 4, 4).

    Conventions
        - The book's names and order: out_channels first, in_channels second (default 3), and `strides`
          (plural) for the stride. The grader calls it positionally and by keyword
          (G_block(in_channels=100, out_channels=64, ...), as the book's net_G does).
        - The attribute names conv2d_trans and batch_norm: the grader loads the reference's weights by
          them (conv2d_trans.weight, batch_norm.weight, ...). No bias in the convolution.
        - Editions: this is the PyTorch code of the English edition (d2l-zh's translation prints the
          same). The MXNet tab's G_block(channels, kernel_size=4, strides=2, padding=1) has no
          in_channels (Gluon infers it); in PyTorch that would take a lazy layer, which the grader
          cannot load weights into.

    Forbidden: nothing; nn.ConvTranspose2d, nn.BatchNorm2d and nn.ReLU are the exercise's parts.
    """

    def __init__(self, out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError("G_block: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("G_block.forward: fill in this function")


class D_block(nn.Module):
    """The discriminator's block: a convolution, batch norm, then LeakyReLU with slope alpha.

    D2L 20.2, the discriminator: https://d2l.ai/chapter_generative-adversarial-networks/dcgan.html

    What to implement
        __init__(out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, alpha=0.2, **kwargs):
            self.conv2d = nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding, bias=False)
            self.batch_norm = nn.BatchNorm2d(out_channels)
            self.activation = nn.LeakyReLU(alpha, inplace=True)
        forward(X): activation(batch_norm(conv2d(X)))

    Shapes
        With the defaults the height and width are halved: the book's D_block(20) maps (2, 3, 16, 16)
        to (2, 20, 8, 8).

    Conventions
        - LeakyReLU's slope is alpha, 0.2 by default (nn.LeakyReLU()'s own default is 0.01).
        - The same names, order and spelling as G_block: out_channels, in_channels=3, kernel_size=4,
          strides=2, padding=1, then alpha; attributes conv2d and batch_norm; no bias.

    Forbidden: nothing; nn.Conv2d, nn.BatchNorm2d and nn.LeakyReLU are the exercise's parts.
    """

    def __init__(self, out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, alpha=0.2, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError("D_block: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("D_block.forward: fill in this function")
