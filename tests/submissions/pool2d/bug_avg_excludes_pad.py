"""BUG: average pooling divides each window by the number of real (unpadded) elements, as
count_include_pad=False would; the contract counts the padded zeros (kh * kw every time).

expect: fail average padding counts zeros
"""
import torch
import torch.nn.functional as F


def pool2d(X, pool_size, stride=None, padding=0, mode="max"):
    kh, kw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    stride = pool_size if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if mode == "max":
        windows = F.pad(X, (pw, pw, ph, ph), value=float("-inf")).unfold(2, kh, sh).unfold(3, kw, sw)
        return windows.amax(dim=(-2, -1))
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    ones = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    return sums / ones.sum(dim=(-2, -1))
