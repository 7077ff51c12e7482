"""Reference solution for the conv2d exercise (D2L 7.2-7.4): multi-channel 2-D cross-correlation with padding and stride."""

import torch
import torch.nn.functional as F


def _pair(value) -> tuple[int, int]:
    """Turn an int into (value, value); keep an (h, w) pair as a tuple of its two ints."""
    if isinstance(value, (tuple, list, torch.Size)):
        if len(value) != 2:
            raise ValueError(f"expected an int or an (h, w) pair, got {value!r}")
        return value[0], value[1]
    return value, value


def conv2d(X: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """Cross-correlate X (N, C_in, H, W) with weight (C_out, C_in, kh, kw); return (N, C_out, OH, OW).

    OH = (H + 2*ph - kh) // sh + 1 and OW = (W + 2*pw - kw) // sw + 1. The kernel is not
    flipped (cross-correlation, as in D2L), and every output channel sums over all input
    channels.
    """
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    _, _, kh, kw = weight.shape
    if ph or pw:
        # F.pad takes the padding of the last dimension first: (left, right, top, bottom).
        X = F.pad(X, (pw, pw, ph, ph))
    # Every kh x kw window, taken every sh rows and sw columns: (N, C_in, OH, OW, kh, kw).
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    # Multiply each window by each kernel and sum over input channels and kernel positions.
    Y = torch.einsum("ncijkl,ockl->noij", windows, weight)
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
