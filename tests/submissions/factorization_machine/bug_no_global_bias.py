"""BUG: leaves out the global bias w0.

expect: fail values; pairs i < j only; real-valued features; float64; gradients
"""
import torch


def fm(X, w0, w, V):
    return X @ w + 0.5 * ((X @ V) ** 2 - (X ** 2) @ (V ** 2)).sum(dim=1)
