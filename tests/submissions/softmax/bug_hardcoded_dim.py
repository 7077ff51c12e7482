"""BUG: copies the book's `X_exp.sum(1, keepdims=True)` (D2L 4.4 works on the rows of a matrix)
and ignores the `dim` argument, so it always normalises along dimension 1.

Right for softmax(X, dim=1) on a matrix; wrong for dim=0, for other dims of other ranks, and an
error for a 1-D input.
expect: fail values, any rank and dim
"""
import torch


def softmax(X, dim=-1):
    X_exp = torch.exp(X - X.max(1, keepdim=True).values)
    return X_exp / X_exp.sum(1, keepdim=True)
