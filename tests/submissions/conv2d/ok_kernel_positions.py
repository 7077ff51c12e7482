"""OK: one strided slice per kernel position (a, b), each multiplied by weight[:, :, a, b] and summed.

Y = sum over (a, b) of weight[:, :, a, b] applied (as a 1x1 convolution over channels) to
Xp[:, :, a::sh, b::sw] cut to the output size. The padded input is built by writing X into
a zeros tensor made with new_zeros (a new tensor: the caller's X is untouched).
expect: pass
"""
import torch


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    N, C, H, W = X.shape
    C_out, _, kh, kw = weight.shape
    Xp = X.new_zeros(N, C, H + 2 * ph, W + 2 * pw)
    Xp[:, :, ph:ph + H, pw:pw + W] = X
    OH, OW = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    Y = None
    for a in range(kh):
        for b in range(kw):
            patch = Xp[:, :, a:a + (OH - 1) * sh + 1:sh, b:b + (OW - 1) * sw + 1:sw]
            term = torch.einsum("nchw,oc->nohw", patch, weight[:, :, a, b])
            Y = term if Y is None else Y + term
    if bias is not None:
        Y = Y + bias[:, None, None]
    return Y
