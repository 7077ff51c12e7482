"""l2_penalty forgets the 1/2.

expect: fail l2_penalty
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)


def l2_penalty(w):
    return torch.sum(w ** 2)
