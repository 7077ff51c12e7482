"""BUG: reshapes the caller's bias in place with unsqueeze_ to make it broadcast.

bias.unsqueeze_(-1).unsqueeze_(-1) turns the caller's (C_out,) bias into (C_out, 1, 1): the
values are right, but the argument was changed in place (the trailing underscore).
expect: fail no mutation
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (pw, pw, ph, ph))
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    Y = torch.einsum("ncijkl,ockl->noij", windows, weight)
    if bias is not None:
        if bias.dim() == 1:
            bias.unsqueeze_(-1).unsqueeze_(-1)
        Y = Y + bias
    return Y
