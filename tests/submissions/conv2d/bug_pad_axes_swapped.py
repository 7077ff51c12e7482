"""BUG: gives F.pad the padding in (height, width) order, but F.pad pads the LAST dimension first.

F.pad(X, (ph, ph, pw, pw)) pads the columns by ph and the rows by pw. With ph == pw nothing shows;
with padding=(1, 0) the output has the wrong shape.
expect: fail shape
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (ph, ph, pw, pw))  # wrong order: F.pad wants (left, right, top, bottom)
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    Y = torch.einsum("ncijkl,ockl->noij", windows, weight)
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
