"""BUG: builds eps as a tensor shaped like the variance with torch.full(...), on the default device.

Fine on the CPU; with inputs on another device (CUDA, or meta) var + eps mixes devices.
expect: fail device
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    eps_t = torch.full(moving_var.shape, eps, dtype=X.dtype)
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps_t)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps_t)
    new_mean = momentum * moving_mean + (1 - momentum) * mean
    new_var = momentum * moving_var + (1 - momentum) * var
    return gamma * X_hat + beta, new_mean, new_var
