"""Forgets to scale the kept elements by 1 / (1 - dropout).

expect: fail kept values scaled
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    return mask * X


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
