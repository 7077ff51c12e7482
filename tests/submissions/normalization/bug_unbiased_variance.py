"""BUG: uses X.var(), which divides by n - 1: the unbiased variance.

expect: fail biased variance
"""
import torch


def layer_norm(X, gamma, beta, eps=1e-5):
    dims = tuple(range(X.dim() - gamma.dim(), X.dim()))
    mean = X.mean(dim=dims, keepdim=True)
    return gamma * (X - mean) / torch.sqrt(X.var(dim=dims, keepdim=True) + eps) + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=(2, 3), keepdim=True)
    var = X.var(dim=(2, 3), keepdim=True)
    return gamma.reshape(1, -1, 1, 1) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)
