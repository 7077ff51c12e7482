"""BUG: the book's MXNet shape, (B, 1): sums with keepdim=True.

expect: fail shape
"""
import torch


def fm(X, w0, w, V):
    linear = w0 + (X @ w).unsqueeze(1)
    return linear + 0.5 * ((X @ V) ** 2 - (X ** 2) @ (V ** 2)).sum(dim=1, keepdim=True)
