"""BUG: cross-correlates only the first input channel with each kernel (D2L 7.2's corr2d per output
channel, with the sum over input channels of D2L 7.4 forgotten).

Right for C_in = 1, wrong as soon as there are two input channels (the book's [[56, 72], [104, 120]]).
expect: fail channels
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (pw, pw, ph, ph))
    windows = X[:, 0].unfold(1, kh, sh).unfold(2, kw, sw)  # (N, OH, OW, kh, kw): channel 0 only
    Y = torch.einsum("nijkl,okl->noij", windows, weight[:, 0])
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
