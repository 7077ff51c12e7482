"""BUG: casts X to float32 "to be safe", so float64 input gives a float32 Y.

expect: fail dtype
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    X = X.float()
    if not training:
        X_hat = (X - moving_mean.float()) / torch.sqrt(moving_var.float() + eps)
        return (gamma.float() * X_hat + beta.float()), moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    new_mean = momentum * moving_mean.float() + (1 - momentum) * mean
    new_var = momentum * moving_var.float() + (1 - momentum) * var
    return gamma.float() * X_hat + beta.float(), new_mean, new_var
