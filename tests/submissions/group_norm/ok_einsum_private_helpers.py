"""OK: private helpers, a (N, G, C // G, L) view, and einsum for the per-channel scale; movedim puts
the channels last for the shift.

expect: pass
"""
import torch


def _moments(Z):
    mean = Z.mean(dim=(2, 3), keepdim=True)
    centred = Z - mean
    return centred, (centred * centred).mean(dim=(2, 3), keepdim=True)


def _scale(Z, gamma):
    return torch.einsum("ngkl,gk->ngkl", Z, gamma.reshape(Z.shape[1], Z.shape[2]))


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    N, C = X.shape[0], X.shape[1]
    Z = X.reshape(N, num_groups, C // num_groups, -1)
    centred, var = _moments(Z)
    scaled = _scale(centred / (var + eps) ** 0.5, gamma).reshape(X.shape)
    return (scaled.movedim(1, -1) + beta).movedim(-1, 1)
