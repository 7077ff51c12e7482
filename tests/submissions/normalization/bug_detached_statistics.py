"""BUG: computes the statistics under torch.no_grad() "because they are only constants": the values
are right, but the gradient to X misses the paths through the mean and the variance.

expect: fail gradients
"""
import torch


def _stats(X, dims):
    with torch.no_grad():
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    return mean, var


def layer_norm(X, gamma, beta, eps=1e-5):
    mean, var = _stats(X, tuple(range(X.dim() - gamma.dim(), X.dim())))
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    mean, var = _stats(X, (2, 3))
    return gamma.reshape(1, -1, 1, 1) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)
