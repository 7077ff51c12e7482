"""BUG: converts the input with .float() "to be safe", so float64 inputs come back as float32.

expect: fail dtype
"""
import torch


def softmax(X, dim=-1):
    X = X.float()
    X_exp = torch.exp(X - X.amax(dim=dim, keepdim=True))
    return X_exp / X_exp.sum(dim=dim, keepdim=True)
