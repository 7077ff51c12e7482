"""BUG: unpacks the window as (kw, kh), so a (2, 3) window is applied as 3 rows by 2 columns. Square
windows hide it.

expect: fail rectangular windows
"""
import torch.nn.functional as F


def pool2d(X, pool_size, stride=None, padding=0, mode="max"):
    kw, kh = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    stride = (kh, kw) if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))
