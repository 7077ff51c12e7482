"""BUG: pads with NumPy (np.pad) and converts back with torch.from_numpy.

The values are right, but the round trip through NumPy cuts X off the autograd graph: no
gradient reaches X (and X.numpy() refuses a tensor that requires grad).
expect: fail gradients
"""
import numpy as np
import torch


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    Xp = torch.from_numpy(np.pad(X.detach().cpu().numpy(), ((0, 0), (0, 0), (ph, ph), (pw, pw)))).to(X.device)
    windows = Xp.unfold(2, kh, sh).unfold(3, kw, sw)
    Y = torch.einsum("ncijkl,ockl->noij", windows, weight)
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
