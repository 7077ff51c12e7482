"""BUG (cheating): calls the library's layer_norm and group_norm (one group per channel is instance
normalisation).

expect: fail forbidden routine
"""
import torch.nn.functional as F


def layer_norm(X, gamma, beta, eps=1e-5):
    return F.layer_norm(X, gamma.shape, gamma, beta, eps)


def instance_norm(X, gamma, beta, eps=1e-5):
    return F.group_norm(X, X.shape[1], gamma, beta, eps)
