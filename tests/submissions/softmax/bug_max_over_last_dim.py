"""BUG: subtracts the maximum of the last dimension whatever `dim` is, then normalises along dim.

For dim = -1 that is right. For any other dim the subtracted value changes along `dim`, so it no
longer cancels out: the result is not the softmax.
expect: fail values, any rank and dim
"""
import torch


def softmax(X, dim=-1):
    X_exp = torch.exp(X - X.amax(dim=-1, keepdim=True))
    return X_exp / X_exp.sum(dim=dim, keepdim=True)
