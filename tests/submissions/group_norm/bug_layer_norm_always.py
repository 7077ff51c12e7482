"""BUG: normalises each example over all of (C, *), ignoring num_groups: layer normalisation.

expect: fail values; groups of consecutive channels; num_groups=C (instance norm)
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    dims = tuple(range(1, X.dim()))
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    shape = (1, X.shape[1]) + (1,) * (X.dim() - 2)
    return gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape)
