"""torch.bernoulli with the keep probability, l2 as a dot product.

expect: pass
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    keep = torch.bernoulli(torch.full_like(X, 1.0 - dropout))
    return keep * X / (1.0 - dropout)


def l2_penalty(w):
    flat = w.reshape(-1)
    return flat.dot(flat) * 0.5
