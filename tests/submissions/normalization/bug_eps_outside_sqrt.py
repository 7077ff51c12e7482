"""BUG: adds eps after the square root, sqrt(var) + eps, as some papers write it; far off where the
variance is small or eps is large.

expect: fail eps
"""
import torch


def layer_norm(X, gamma, beta, eps=1e-5):
    dims = tuple(range(X.dim() - gamma.dim(), X.dim()))
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    return gamma * (X - mean) / (torch.sqrt(var) + eps) + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=(2, 3), keepdim=True)
    var = ((X - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    return gamma.reshape(1, -1, 1, 1) * (X - mean) / (torch.sqrt(var) + eps) + beta.reshape(1, -1, 1, 1)
