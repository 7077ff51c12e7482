"""BUG (cheating): calls the library's conv2d under another name for the functional module.

`from torch.nn import functional as G` then `G.conv2d(...)` is still F.conv2d.
expect: fail forbidden routine
"""
import torch
from torch.nn import functional as G


def conv2d(X, weight, bias=None, stride=1, padding=0):
    return G.conv2d(X, weight, bias, stride, padding)
