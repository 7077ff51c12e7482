"""One random number per two elements: a mask drawn for the first half of X and used again for the
second half. Each element is kept with the right probability and every call draws afresh, but
elements half of X apart are always kept or dropped together.

expect: fail independent elements
"""

import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    n = X.numel()
    half = (torch.rand((n + 1) // 2, device=X.device) > dropout).to(X.dtype)
    mask = torch.cat([half, half])[:n].reshape(X.shape)
    return mask * X / (1.0 - dropout)


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
