"""The book verbatim: torch.rand(X.shape) is made on the CPU whatever the device of X.

expect: fail device
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
