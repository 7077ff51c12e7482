"""Multiplies X in place by the mask.

expect: fail no mutation
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    X *= mask / (1.0 - dropout)
    return X


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
