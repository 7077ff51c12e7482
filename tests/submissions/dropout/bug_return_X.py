"""Returns X scaled, with no element dropped (a deterministic cheat).

expect: fail keep probability
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    return X * 1.0


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
