"""BUG: takes num_groups for the number of channels in each group: C // num_groups groups of num_groups.

expect: fail values; groups of consecutive channels; num_groups=1 (layer norm); num_groups=C (instance norm)
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    N, C = X.shape[:2]
    Xg = X.reshape(N, C // num_groups, -1)
    mean = Xg.mean(dim=2, keepdim=True)
    var = ((Xg - mean) ** 2).mean(dim=2, keepdim=True)
    X_hat = ((Xg - mean) / torch.sqrt(var + eps)).reshape(X.shape)
    shape = (1, C) + (1,) * (X.dim() - 2)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape)
