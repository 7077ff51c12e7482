"""BUG: reads weight as (C_in, C_out, kh, kw), the layout of a transposed convolution, instead of
(C_out, C_in, kh, kw).

With one channel on each side nothing shows; with two input channels and one output channel the
einsum fails, and with C_in == C_out it silently mixes up the channels.
expect: fail channels
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (pw, pw, ph, ph))
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    Y = torch.einsum("ncijkl,cokl->noij", windows, weight)  # should be ockl
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
