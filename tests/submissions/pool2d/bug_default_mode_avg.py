"""BUG: right whenever mode is passed, but mode defaults to 'avg', so pool2d(X, 2) averages instead
of taking the maximum (nn.MaxPool2d's and the book's default is max).

expect: fail max pooling
"""
import torch.nn.functional as F


def pool2d(X, pool_size, stride=None, padding=0, mode="avg"):
    kh, kw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    stride = pool_size if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
