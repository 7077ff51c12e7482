"""BUG: shifts the logits in place with `X -= ...`, changing the caller's tensor.

The values are right; but the caller's X now holds the shifted logits, and with requires_grad
the in-place write on a leaf tensor is an error, so no gradient can flow.
expect: fail no mutation, gradients
"""
import torch


def softmax(X, dim=-1):
    X -= X.amax(dim=dim, keepdim=True)
    X_exp = X.exp()
    return X_exp / X_exp.sum(dim=dim, keepdim=True)
