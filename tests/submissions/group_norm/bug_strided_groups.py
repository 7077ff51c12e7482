"""BUG: splits the channel axis as (C // G, G), so group g is channels g, g + G, g + 2G, ... instead of
the consecutive ones; the right answer when G == 1 or G == C only.

expect: fail groups of consecutive channels; values
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    N, C = X.shape[:2]
    Xg = X.reshape(N, C // num_groups, num_groups, -1)
    mean = Xg.mean(dim=(1, 3), keepdim=True)
    var = ((Xg - mean) ** 2).mean(dim=(1, 3), keepdim=True)
    X_hat = ((Xg - mean) / torch.sqrt(var + eps)).reshape(X.shape)
    shape = (1, C) + (1,) * (X.dim() - 2)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape)
