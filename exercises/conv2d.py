"""Exercise conv2d (D2L 7.2-7.4): write 2-D cross-correlation with several channels, padding and stride."""

import torch


def conv2d(X: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """Cross-correlate X with weight, as a convolutional layer does; return (N, C_out, OH, OW).

    D2L 7.2-7.4, cross-correlation, padding and stride, multiple channels:
    https://d2l.ai/chapter_convolutional-neural-networks/padding-and-strides.html

    What to implement
        Y[n, o, i, j] = bias[o] + sum over c, a, b of
                        Xp[n, c, i*sh + a, j*sw + b] * weight[o, c, a, b]
        where Xp is X padded with `padding` rows/columns of zeros on each side. This is
        cross-correlation as in D2L: the kernel is not flipped. The result must equal
        torch.nn.functional.conv2d(X, weight, bias, stride, padding).

    Shapes
        X (N, C_in, H, W); weight (C_out, C_in, kh, kw); bias (C_out,) or None.
        stride and padding: an int (same for both axes) or an (h, w) pair whose two values
        may differ. Output: (N, C_out, OH, OW) with
            OH = (H + 2*ph - kh) // sh + 1,   OW = (W + 2*pw - kw) // sw + 1.
        Same dtype and device as X.

    Conventions
        - Every output channel sums over all input channels.
        - Gradients must flow to X, weight and bias: stay in torch, no NumPy round trip.
        - Do not modify the arguments in place; create no tensor on a hard-coded device.

    Forbidden
        F.conv2d, torch.conv2d, nn.Conv2d, torch.convolution, torch._convolution, any
        conv_transpose (and the other convNd routines). Allowed: torch.nn.functional.pad,
        Tensor.unfold, as_strided, einsum, loops.
    """
    raise NotImplementedError("conv2d: fill in this function")
