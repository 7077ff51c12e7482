"""OK: the identity of D2L 14.10.3 written without a convolution routine: insert sh - 1 zeros between
rows (sw - 1 between columns), pad by k - 1 - p, and cross-correlate with the flipped kernel by
unfold and einsum.

expect: pass
"""
import torch
import torch.nn.functional as F


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    N, C_in, H, W = X.shape
    kh, kw = weight.shape[2], weight.shape[3]
    Z = X.new_zeros((N, C_in, (H - 1) * sh + 1, (W - 1) * sw + 1))
    Z[:, :, ::sh, ::sw] = X
    Z = F.pad(Z, (kw - 1 - pw, kw - 1 - pw, kh - 1 - ph, kh - 1 - ph))
    windows = Z.unfold(2, kh, 1).unfold(3, kw, 1)                  # (N, C_in, OH, OW, kh, kw)
    Y = torch.einsum("ncijab,coab->noij", windows, weight.flip(2, 3))
    return Y if bias is None else Y + bias.reshape(1, -1, 1, 1)
