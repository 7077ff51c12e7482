"""BUG: accepts bias but never adds it.

Everything else is right, so only the cases that pass a bias fail, and no gradient reaches bias.
expect: fail bias, gradients
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (pw, pw, ph, ph))
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    return torch.einsum("ncijkl,ockl->noij", windows, weight)
