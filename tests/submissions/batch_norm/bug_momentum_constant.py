"""BUG: the book's formula, but with 0.9 written in instead of the momentum argument.

Passes with the default momentum; any other value is ignored.
expect: fail momentum convention
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    new_mean = 0.9 * moving_mean + 0.1 * mean
    new_var = 0.9 * moving_var + 0.1 * var
    return gamma * X_hat + beta, new_mean, new_var
