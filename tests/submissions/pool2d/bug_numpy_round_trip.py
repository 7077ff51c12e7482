"""BUG: computes the pooling in NumPy and wraps the result back into a tensor: the values are
right, but no gradient reaches X (and it needs the CPU).

expect: fail gradients
"""
import numpy as np
import torch


def pool2d(X, pool_size, stride=None, padding=0, mode="max"):
    kh, kw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    stride = pool_size if stride is None else stride
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    A = X.detach().cpu().numpy()
    A = np.pad(A, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf if mode == "max" else 0.0)
    N, C, H, W = A.shape
    OH, OW = (H - kh) // sh + 1, (W - kw) // sw + 1
    Y = np.zeros((N, C, OH, OW), dtype=A.dtype)
    for i in range(OH):
        for j in range(OW):
            window = A[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            Y[:, :, i, j] = window.max(axis=(2, 3)) if mode == "max" else window.mean(axis=(2, 3))
    return torch.from_numpy(Y).to(X.device)
