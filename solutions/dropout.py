"""Reference solution for dropout (D2L 5.6 and 3.7): inverted dropout from scratch, and the L2 penalty."""

import torch


def dropout_layer(X: torch.Tensor, dropout: float) -> torch.Tensor:
    """Keep each element with probability 1 - dropout, scaled by 1 / (1 - dropout); zero the rest.

    The book's `assert 0 <= dropout <= 1` is left out: no case calls it with a dropout outside [0, 1].
    """
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """Half the sum of the squared weights."""
    return torch.sum(w.pow(2)) / 2
