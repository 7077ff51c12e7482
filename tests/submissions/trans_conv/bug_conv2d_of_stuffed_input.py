"""BUG (forbidden): the textbook identity, a transposed convolution as F.conv2d of the zero-stuffed,
padded input with the flipped, transposed kernel. The values are right, but it calls a convolution
routine, which this exercise forbids.

expect: fail forbidden routine
"""
import torch
import torch.nn.functional as F


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    N, C_in, H, W = X.shape
    _, C_out, kh, kw = weight.shape
    Z = X.new_zeros((N, C_in, (H - 1) * sh + 1, (W - 1) * sw + 1))
    Z[:, :, ::sh, ::sw] = X
    Z = F.pad(Z, (kw - 1 - pw, kw - 1 - pw, kh - 1 - ph, kh - 1 - ph))
    return F.conv2d(Z, weight.flip(2, 3).transpose(0, 1), bias)
