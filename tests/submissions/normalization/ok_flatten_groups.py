"""OK: flattens each group into one row and normalises the rows: layer norm reshapes X to
(examples, elements of gamma's shape), instance norm to (N * C, H * W); einsum applies gamma.

expect: pass
"""
import torch


def _rows(Z, eps):
    mean = Z.sum(dim=1, keepdim=True) / Z.shape[1]
    centred = Z - mean
    return centred / torch.sqrt((centred * centred).sum(dim=1, keepdim=True) / Z.shape[1] + eps)


def layer_norm(X, gamma, beta, eps=1e-5):
    Z = _rows(X.reshape(-1, gamma.numel()), eps).reshape(X.shape)
    return Z * gamma + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    N, C, H, W = X.shape
    Z = _rows(X.reshape(N * C, H * W), eps).reshape(N, C, H, W)
    return torch.einsum("nchw,c->nchw", Z, gamma) + beta.reshape(1, C, 1, 1)
