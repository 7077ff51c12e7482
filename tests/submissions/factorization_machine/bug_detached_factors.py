"""BUG: reads V through .detach(): the factors get no gradient.

expect: fail gradients
"""
import torch


def fm(X, w0, w, V):
    V = V.detach()
    return w0 + X @ w + 0.5 * ((X @ V) ** 2 - (X ** 2) @ (V ** 2)).sum(dim=1)
