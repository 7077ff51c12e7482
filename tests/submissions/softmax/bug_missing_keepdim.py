"""BUG: forgets keepdim=True, so the sums lose the reduced dimension and the division broadcasts
against the wrong axis (or fails to broadcast at all).

For a (2, 5) matrix and dim=1 the sums have shape (2,), which does not broadcast with (2, 5).
expect: fail values
"""
import torch


def softmax(X, dim=-1):
    X_exp = torch.exp(X - X.amax(dim=dim, keepdim=True))
    return X_exp / X_exp.sum(dim)
