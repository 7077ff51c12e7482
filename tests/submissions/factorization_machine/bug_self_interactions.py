"""BUG: only the square of the sum, halved: every feature also interacts with itself.

expect: fail values; pairs i < j only; real-valued features
"""
import torch


def fm(X, w0, w, V):
    return w0 + X @ w + 0.5 * ((X @ V) ** 2).sum(dim=1)
