"""BUG: for 4-D input the statistics are taken over the batch only (dim 0), one per (C, H, W) position.

The book's convolutional batch normalization pools over the batch, height and width: one per channel.
expect: fail training on 4-D input (per channel)
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    mean = X.mean(dim=0, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=0, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    new_mean = momentum * moving_mean + (1 - momentum) * mean
    new_var = momentum * moving_var + (1 - momentum) * var
    return gamma * X_hat + beta, new_mean, new_var
