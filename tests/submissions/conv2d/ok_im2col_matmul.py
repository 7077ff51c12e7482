"""OK: F.pad, then im2col with torch.nn.functional.unfold, then one matrix product.

F.unfold (im2col) lists every kh x kw window of every channel as a column: (N, C_in*kh*kw, L).
The kernels flattened to (C_out, C_in*kh*kw) times those columns give every output at once.
expect: pass
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    N, C, H, W = X.shape
    C_out, _, kh, kw = weight.shape
    OH, OW = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    cols = F.unfold(F.pad(X, (pw, pw, ph, ph)), (kh, kw), stride=(sh, sw))  # (N, C*kh*kw, OH*OW)
    Y = weight.reshape(C_out, -1) @ cols  # (N, C_out, OH*OW)
    Y = Y.reshape(N, C_out, OH, OW)
    return Y if bias is None else Y + bias[None, :, None, None]
