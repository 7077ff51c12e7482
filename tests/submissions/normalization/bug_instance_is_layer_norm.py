"""BUG: instance_norm takes the statistics per example over (1, 2, 3), mixing the channels: that
is layer normalisation of an image.

expect: fail instance norm: per example and channel
"""
import torch


def layer_norm(X, gamma, beta, eps=1e-5):
    dims = tuple(range(X.dim() - gamma.dim(), X.dim()))
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=(1, 2, 3), keepdim=True)
    var = ((X - mean) ** 2).mean(dim=(1, 2, 3), keepdim=True)
    return gamma.reshape(1, -1, 1, 1) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)
