"""BUG: computes the pairwise term in float32 whatever the inputs' dtype.

expect: fail float64
"""
import torch


def fm(X, w0, w, V):
    S = X.float() @ V.float()
    pairwise = 0.5 * (S ** 2 - (X.float() ** 2) @ (V.float() ** 2)).sum(dim=1)
    return w0 + X @ w + pairwise.to(X.dtype)
