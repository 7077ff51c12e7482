"""One random number per row: whole rows are kept or dropped together.

expect: fail independent elements
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape[0], 1, device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
