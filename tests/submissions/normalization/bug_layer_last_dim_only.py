"""BUG: layer_norm always normalises over the last dimension only (right for the Transformer's
(batch, steps, D) with gamma (D,)), whatever gamma's shape says.

expect: fail layer norm: the trailing dimensions of gamma
"""
import torch


def layer_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=-1, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=-1, keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=(2, 3), keepdim=True)
    var = ((X - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    return gamma.reshape(1, -1, 1, 1) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)
