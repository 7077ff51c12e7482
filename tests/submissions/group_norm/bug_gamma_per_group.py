"""BUG: scales and shifts per group on the grouped view, with each group's first gamma and beta, as if
the affine parameters were one per group.

expect: fail gamma and beta per channel; values
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    N, C = X.shape[:2]
    Xg = X.reshape(N, num_groups, -1)
    mean = Xg.mean(dim=2, keepdim=True)
    var = ((Xg - mean) ** 2).mean(dim=2, keepdim=True)
    X_hat = (Xg - mean) / torch.sqrt(var + eps)
    per_group = C // num_groups
    Y = gamma[::per_group].reshape(1, num_groups, 1) * X_hat + beta[::per_group].reshape(1, num_groups, 1)
    return Y.reshape(X.shape)
