"""BUG: the pairwise term without the 0.5: each pair counts twice.

expect: fail values; pairs i < j only
"""
import torch


def fm(X, w0, w, V):
    return w0 + X @ w + ((X @ V) ** 2 - (X ** 2) @ (V ** 2)).sum(dim=1)
