"""Scenario: prints while it works, and some checks fail."""
import torch


def softmax(X, dim=-1):
    print("shape", tuple(X.shape))
    e = X.exp()
    return e / e.sum(dim, keepdim=True)
