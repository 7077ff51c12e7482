"""Exercise trans_conv (D2L 14.10): write the transposed convolution with channels, stride, padding and bias."""

import torch


def trans_conv(X: torch.Tensor, weight: torch.Tensor, bias=None, stride=1, padding=0) -> torch.Tensor:
    """Transposed convolution of X with weight, as nn.ConvTranspose2d computes it; return (N, C_out, OH, OW).

    D2L 14.10, transposed convolution:
    https://d2l.ai/chapter_computer-vision/transposed-conv.html

    What to implement
        The book's trans_conv broadcasts every input element over the kernel: input element
        (i, j) times the kernel is added to the output window that starts at (i*sh, j*sw):
            Z[n, o, i*sh + a, j*sw + b] += X[n, c, i, j] * weight[c, o, a, b]
        summed over every input channel c. Then `padding` REMOVES ph rows from the top and the
        bottom and pw columns from the left and the right of Z (it does not add zeros, as a
        convolution's padding does), and bias[o] is added to every element of output channel o.
        The result must equal torch.nn.functional.conv_transpose2d(X, weight, bias, stride, padding).

    Shapes
        X (N, C_in, H, W); weight (C_in, C_out, kh, kw) - the input channels come FIRST, the
        opposite of conv2d's (C_out, C_in, kh, kw); bias (C_out,) or None. stride and padding:
        an int (same for both axes) or an (h, w) pair whose two values may differ. Output
        (N, C_out, OH, OW) with
            OH = (H - 1)*sh + kh - 2*ph,   OW = (W - 1)*sw + kw - 2*pw.
        Same dtype and device as X.

    Conventions
        - The book's trans_conv(X, K) takes one 2-D channel, stride 1 and no padding; the rest of
          the section (nn.ConvTranspose2d with padding, stride and channels) is what this exercise
          adds. The Chinese and English editions agree.
        - Overlapping windows ADD up (+=), they do not overwrite each other.
        - Gradients must flow to X, weight and bias: stay in torch, no NumPy round trip.
        - Do not modify the arguments in place; create no tensor on a hard-coded device.

    Forbidden
        every conv_transpose (F.conv_transpose2d, torch.conv_transpose2d, nn.ConvTranspose2d, ...)
        and the convolution routines (F.conv2d, torch.conv2d, nn.Conv2d, torch.convolution, ...):
        a transposed convolution written as a convolution of a zero-stuffed input is still a
        convolution call. Allowed: loops, slicing, einsum, matmul, F.pad, F.unfold and F.fold.
    """
    raise NotImplementedError("trans_conv: fill in this function")
