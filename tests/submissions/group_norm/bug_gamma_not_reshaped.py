"""BUG: multiplies by the (C,) gamma as it is, which broadcasts along the last axis: an error unless the
last axis is as long as C, and then the wrong channels.

expect: fail gamma and beta per channel; values
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    Xg = X.reshape(X.shape[0], num_groups, -1)
    mean = Xg.mean(dim=2, keepdim=True)
    var = ((Xg - mean) ** 2).mean(dim=2, keepdim=True)
    X_hat = ((Xg - mean) / torch.sqrt(var + eps)).reshape(X.shape)
    return gamma * X_hat + beta
