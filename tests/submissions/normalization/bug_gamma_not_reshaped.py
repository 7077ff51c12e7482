"""BUG: instance_norm multiplies by the (C,) gamma as it is: it broadcasts along W, not along the
channels. Where W differs from C it raises; where W == C it silently scales the columns.

expect: fail instance norm: gamma and beta per channel
"""
import torch


def layer_norm(X, gamma, beta, eps=1e-5):
    dims = tuple(range(X.dim() - gamma.dim(), X.dim()))
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=(2, 3), keepdim=True)
    var = ((X - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta
