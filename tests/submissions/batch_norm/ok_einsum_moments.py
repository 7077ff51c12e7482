"""OK: moments from sums: the mean as a sum over the reduced dims divided by n, the variance as the
mean of the squared deviations, computed with einsum over an (N, C, L) view.

expect: pass
"""
import math

import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    shape = moving_mean.shape
    if not training:
        scale = gamma / torch.sqrt(moving_var + eps)
        return X * scale + (beta - moving_mean * scale), moving_mean.clone(), moving_var.clone()
    N, C = X.shape[0], X.shape[1]
    V = X.reshape(N, C, -1)
    n = N * V.shape[2]
    mean = torch.einsum("ncl->c", V) / n
    D = V - mean[None, :, None]
    var = torch.einsum("ncl,ncl->c", D, D) / n
    Y = gamma.reshape(1, C, 1) * D / torch.sqrt(var + eps)[None, :, None] + beta.reshape(1, C, 1)
    new_mean = moving_mean * momentum + mean.reshape(shape) * (1.0 - momentum)
    new_var = moving_var * momentum + var.reshape(shape) * (1.0 - momentum)
    return Y.reshape(X.shape), new_mean, new_var
