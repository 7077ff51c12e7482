"""BUG: for 4-D input each example is normalised over (C, H, W), like layer normalization.

Batch normalization's statistics are per channel, over the batch, height and width.
expect: fail training on 4-D input (per channel)
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (1, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    if X.dim() == 4:
        mean, var = mean.mean(), var.mean()
    new_mean = momentum * moving_mean + (1 - momentum) * mean
    new_var = momentum * moving_var + (1 - momentum) * var
    return gamma * X_hat + beta, new_mean, new_var
