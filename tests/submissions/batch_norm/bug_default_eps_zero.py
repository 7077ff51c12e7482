"""BUG: right whenever eps is passed, but its default eps is 0, so batch_norm(X, ...) called without
eps normalises by sqrt(var) alone (float64 shows the difference).

expect: fail float64
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=0.0, momentum=0.9, training=True):
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    Y = gamma * (X - mean) / torch.sqrt(var + eps) + beta
    return (Y, momentum * moving_mean + (1 - momentum) * mean.detach(),
            momentum * moving_var + (1 - momentum) * var.detach())
