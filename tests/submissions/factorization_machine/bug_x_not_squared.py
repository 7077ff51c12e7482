"""BUG: X instead of X ** 2 in the sum of squares: right on 0/1 features only.

expect: fail real-valued features; float64
"""
import torch


def fm(X, w0, w, V):
    return w0 + X @ w + 0.5 * ((X @ V) ** 2 - X @ (V ** 2)).sum(dim=1)
