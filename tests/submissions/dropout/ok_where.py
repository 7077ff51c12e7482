"""torch.where on a uniform draw, the scale folded into X first.

expect: pass
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    scaled = X / (1.0 - dropout)
    return torch.where(torch.rand_like(X) < 1.0 - dropout, scaled, torch.zeros_like(X))


def l2_penalty(w):
    return (w * w).sum() / 2
