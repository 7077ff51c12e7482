"""OK: one matrix product gives every input element's scaled kernel as a column, and F.fold (col2im)
adds the overlapping columns into place, with its padding doing the crop.

expect: pass
"""
import torch
import torch.nn.functional as F


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    N, C_in, H, W = X.shape
    C_out, kh, kw = weight.shape[1], weight.shape[2], weight.shape[3]
    cols = weight.reshape(C_in, C_out * kh * kw).t() @ X.reshape(N, C_in, H * W)   # (N, C_out*kh*kw, H*W)
    OH, OW = (H - 1) * sh + kh - 2 * ph, (W - 1) * sw + kw - 2 * pw
    Y = F.fold(cols, (OH, OW), (kh, kw), padding=(ph, pw), stride=(sh, sw))
    return Y if bias is None else Y + bias.view(1, C_out, 1, 1)
