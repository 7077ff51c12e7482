"""BUG: updates the moving statistics in place (mul_ / add_) and returns the caller's tensors.

The values are right, but the caller's moving_mean and moving_var change under it.
expect: fail no mutation
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
    with torch.no_grad():
        moving_mean.mul_(momentum).add_((1 - momentum) * mean)
        moving_var.mul_(momentum).add_((1 - momentum) * var)
    return gamma * X_hat + beta, moving_mean, moving_var
