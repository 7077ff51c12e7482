"""BUG: layer_norm normalises over every dimension but the first, the rule for images with gamma
(C, H, W); with gamma (D,) on a (batch, steps, D) input it mixes the steps.

expect: fail layer norm: per example, layer norm: the trailing dimensions of gamma
"""
import torch


def layer_norm(X, gamma, beta, eps=1e-5):
    dims = tuple(range(1, X.dim()))
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=(2, 3), keepdim=True)
    var = ((X - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    return gamma.reshape(1, -1, 1, 1) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)
