"""BUG: sums each slice with a matrix product against a vector of ones created on the CPU.

`torch.ones(n, dtype=X.dtype)` lands on the default device, so inputs on a GPU (or the
shape-only meta device) mix devices in the product.
expect: fail device
"""
import torch


def softmax(X, dim=-1):
    X = X.movedim(dim, -1)
    X_exp = torch.exp(X - X.amax(dim=-1, keepdim=True))
    ones = torch.ones(X.shape[-1], 1, dtype=X.dtype)
    return (X_exp / (X_exp @ ones)).movedim(-1, dim)
