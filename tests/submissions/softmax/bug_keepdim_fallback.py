"""BUG: sums without keepdim and falls back to keepdim=True only when the division cannot broadcast.

Wherever the sums do broadcast, along the wrong axis (a square (3, 3) matrix normalised along dim 1),
every element is divided by another slice's sum. Fixed square cases catch it on every seed.
expect: fail values
"""
import torch


def softmax(X, dim=-1):
    X_exp = torch.exp(X - X.amax(dim=dim, keepdim=True))
    try:
        return X_exp / X_exp.sum(dim)
    except RuntimeError:
        return X_exp / X_exp.sum(dim, keepdim=True)
