"""Reference solution for the softmax exercise (D2L 4.4): a numerically stable softmax along any dim."""

import torch


def softmax(X: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Return exp(X) / sum(exp(X)) along `dim`, computed stably.

    Softmax does not change when a constant is subtracted from a whole slice, so each slice
    along `dim` is shifted by its own maximum first: the largest exponent is then exp(0) = 1,
    nothing overflows, and every slice's sum is at least 1, so nothing divides 0 by 0.
    """
    X_shifted = X - X.amax(dim=dim, keepdim=True)
    X_exp = torch.exp(X_shifted)
    return X_exp / X_exp.sum(dim=dim, keepdim=True)
