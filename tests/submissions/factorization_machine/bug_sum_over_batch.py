"""BUG: sums the square of the sum over the batch axis too: rows are no longer independent.

expect: fail values; pairs i < j only; real-valued features; float64
"""
import torch


def fm(X, w0, w, V):
    square_of_sum = (X @ V).sum(dim=0, keepdim=True) ** 2
    return w0 + X @ w + 0.5 * (square_of_sum - (X ** 2) @ (V ** 2)).sum(dim=1)
