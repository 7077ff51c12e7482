"""BUG: D2L 7.5's habit: the output is torch.zeros(...) in its float32 default, filled window by
window, so float64 inputs come back as float32.

expect: fail dtype
"""
import torch
import torch.nn.functional as F


def pool2d(X, pool_size, stride=None, padding=0, mode="max"):
    kh, kw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    stride = pool_size if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    Xp = F.pad(X, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    N, C, H, W = Xp.shape
    Y = torch.zeros((N, C, (H - kh) // sh + 1, (W - kw) // sw + 1), device=X.device)
    for i in range(Y.shape[2]):
        for j in range(Y.shape[3]):
            window = Xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            Y[:, :, i, j] = window.amax(dim=(-2, -1)) if mode == "max" else window.mean(dim=(-2, -1))
    return Y
