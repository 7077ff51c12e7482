"""BUG: the 4-D statistics are taken without keepdim=True, so they are shaped (C,), not (1, C, 1, 1).

X - mean then broadcasts the channel statistics along the width: an error when W != C, and
silently wrong numbers when W == C.
expect: fail training on 4-D input (per channel)
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims)
    var = ((X - mean) ** 2).mean(dim=dims)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    new_mean = momentum * moving_mean + (1 - momentum) * mean.reshape(moving_mean.shape)
    new_var = momentum * moving_var + (1 - momentum) * var.reshape(moving_var.shape)
    return gamma * X_hat + beta, new_mean, new_var
