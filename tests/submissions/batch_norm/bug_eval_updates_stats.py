"""BUG: evaluation mode normalises with the moving statistics, but still updates them with the batch's.

In evaluation they must come back unchanged.
expect: fail evaluation mode
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    if training:
        X_hat = (X - mean) / torch.sqrt(var + eps)
    else:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    new_mean = momentum * moving_mean + (1 - momentum) * mean
    new_var = momentum * moving_var + (1 - momentum) * var
    return gamma * X_hat + beta, new_mean, new_var
