"""Reference solution for the pool2d exercise (D2L 7.5): max and average pooling with stride and padding."""

import torch
import torch.nn.functional as F


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def pool2d(X: torch.Tensor, pool_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
           padding: int | tuple[int, int] = 0, mode: str = "max") -> torch.Tensor:
    """Pad (with -inf for max, zeros for avg), cut the windows with unfold, reduce each one.

    unfold(2, kh, sh).unfold(3, kw, sw) turns (N, C, H', W') into (N, C, OH, OW, kh, kw): one
    window per output position, so the reduction over the last two dimensions is the pooling.
    """
    kh, kw = _pair(pool_size)
    sh, sw = _pair(pool_size if stride is None else stride)
    ph, pw = _pair(padding)
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    if mode == "max":
        return windows.amax(dim=(-2, -1))
    return windows.mean(dim=(-2, -1))
