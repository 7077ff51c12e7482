"""OK: builds the (N, C, OH, OW, kh, kw) window view with as_strided, then tensordot.

as_strided on the (contiguous) padded input: the window of output (i, j) starts i*sh rows and
j*sw columns in, and moves one row / one column per kernel position.
expect: pass
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    Xp = F.pad(X, (pw, pw, ph, ph)).contiguous()
    N, C, Hp, Wp = Xp.shape
    C_out, _, kh, kw = weight.shape
    OH, OW = (Hp - kh) // sh + 1, (Wp - kw) // sw + 1
    sN, sC, sH, sW = Xp.stride()
    windows = Xp.as_strided((N, C, OH, OW, kh, kw), (sN, sC, sH * sh, sW * sw, sH, sW))
    Y = torch.tensordot(windows, weight, dims=([1, 4, 5], [1, 2, 3]))  # (N, OH, OW, C_out)
    Y = Y.permute(0, 3, 1, 2)
    if bias is not None:
        Y = Y + bias.view(1, -1, 1, 1)
    return Y
