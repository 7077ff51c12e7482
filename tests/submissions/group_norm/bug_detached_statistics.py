"""BUG: detaches the mean and the variance, so the gradient with respect to X misses their terms.

expect: fail gradients
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    Xg = X.reshape(X.shape[0], num_groups, -1)
    mean = Xg.mean(dim=2, keepdim=True).detach()
    var = ((Xg - mean) ** 2).mean(dim=2, keepdim=True).detach()
    X_hat = ((Xg - mean) / torch.sqrt(var + eps)).reshape(X.shape)
    shape = (1, X.shape[1]) + (1,) * (X.dim() - 2)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape)
