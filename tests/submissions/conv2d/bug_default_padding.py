"""BUG: right whenever padding is passed, but its default padding is 1 instead of 0, so conv2d(X, K)
returns a larger output.

expect: fail shape
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    X = F.pad(X, (pw, pw, ph, ph))
    kh, kw = weight.shape[2], weight.shape[3]
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    Y = torch.einsum("ncijkl,ockl->noij", windows, weight)
    return Y if bias is None else Y + bias.reshape(1, -1, 1, 1)
