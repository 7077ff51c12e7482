"""Exercise bilinear_kernel (D2L 14.11): the kernel that makes a transposed convolution upsample bilinearly."""

import torch


def bilinear_kernel(in_channels: int, out_channels: int, kernel_size: int) -> torch.Tensor:
    """Return the weight of an nn.ConvTranspose2d that upsamples each channel by bilinear interpolation.

    D2L 14.11, Fully Convolutional Networks (transposed convolutions initialised for upsampling):
    https://d2l.ai/chapter_computer-vision/fcn.html

    What to implement
        factor = (kernel_size + 1) // 2
        center = factor - 1 for an odd kernel_size (the middle pixel),
                 factor - 0.5 for an even one (between the two middle pixels)
        filt[a, b] = (1 - |a - center| / factor) * (1 - |b - center| / factor),  a, b = 0 .. kernel_size - 1
        weight[c, c] = filt for every channel c; every other (c, o) pair stays zero.

    Shapes
        Result (in_channels, out_channels, kernel_size, kernel_size), nn.ConvTranspose2d's weight
        layout; called with in_channels == out_channels, as the book does (3, 3, 4) and
        (num_classes, num_classes, 64).

    Conventions
        - float32 on the CPU, like the book's torch.zeros (np.zeros, the MXNet tab's, is float64).
        - Each channel is upsampled on its own: no weight between different channels.
        - What it is for: with kernel_size 4, nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1,
          stride=2, bias=False) holding this weight doubles the height and width, and equals
          F.interpolate(X, scale_factor=2, mode='bilinear', align_corners=False) everywhere but on the
          outermost ring of pixels.

    Forbidden: nothing; torch has no routine that builds this kernel (F.interpolate and
    F.conv_transpose2d are allowed).
    """
    raise NotImplementedError("bilinear_kernel: fill in this function")
