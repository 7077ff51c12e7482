"""BUG: average pooling scales X in place (X /= kh * kw) and then sums each window, so the caller's
tensor is changed.

expect: fail no mutation
"""
import torch.nn.functional as F


def pool2d(X, pool_size, stride=None, padding=0, mode="max"):
    kh, kw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    stride = pool_size if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if mode == "max":
        windows = F.pad(X, (pw, pw, ph, ph), value=float("-inf")).unfold(2, kh, sh).unfold(3, kw, sw)
        return windows.amax(dim=(-2, -1))
    X /= kh * kw
    return F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
