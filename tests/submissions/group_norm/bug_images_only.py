"""BUG: written for images only: unpacks N, C, H, W and reshapes gamma to (1, C, 1, 1).

expect: fail any number of spatial dimensions
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    N, C, H, W = X.shape
    Xg = X.reshape(N, num_groups, C // num_groups, H, W)
    mean = Xg.mean(dim=(2, 3, 4), keepdim=True)
    var = ((Xg - mean) ** 2).mean(dim=(2, 3, 4), keepdim=True)
    X_hat = ((Xg - mean) / torch.sqrt(var + eps)).reshape(N, C, H, W)
    return gamma.reshape(1, C, 1, 1) * X_hat + beta.reshape(1, C, 1, 1)
