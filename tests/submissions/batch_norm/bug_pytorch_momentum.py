"""BUG: nn.BatchNorm2d's momentum convention, new = (1 - momentum) * old + momentum * batch.

With the book's momentum=0.9 this keeps only 10% of the old statistics.
expect: fail momentum convention, moving statistics
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
    new_mean = (1 - momentum) * moving_mean + momentum * mean
    new_var = (1 - momentum) * moving_var + momentum * var
    return gamma * X_hat + beta, new_mean, new_var
