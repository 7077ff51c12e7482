"""OK: detaches the maximum before subtracting it.

Softmax does not depend on the shift, so the shift's gradient contributions cancel out exactly:
detaching the maximum changes neither the values nor the gradient.
expect: pass
"""
import torch


def softmax(X, dim=-1):
    m = X.max(dim=dim, keepdim=True).values.detach()
    X_exp = (X - m).exp()
    return X_exp / X_exp.sum(dim=dim, keepdim=True)
