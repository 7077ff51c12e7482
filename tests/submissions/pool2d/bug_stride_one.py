"""BUG: D2L 7.5's from-scratch pool2d slides its window one step at a time, so this stride defaults
to 1 instead of pool_size: pool2d(X, 3) returns far too many outputs.

expect: fail shape
"""
import torch.nn.functional as F


def pool2d(X, pool_size, stride=1, padding=0, mode="max"):
    kh, kw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
