"""BUG: puts all 2*p rows and columns of zero padding at the bottom and on the right.

D2L 7.3 counts p_h as the total padding and then puts half of it on each side; the learner kept
the total (so the output shape is right) but put it all on one side, shifting every window.
expect: fail padding
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (0, 2 * pw, 0, 2 * ph))  # everything after the image instead of around it
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    Y = torch.einsum("ncijkl,ockl->noij", windows, weight)
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
