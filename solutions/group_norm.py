"""Reference solution for the group_norm exercise (Wu & He 2018): group normalisation over (N, C, *)."""

import torch


def group_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, num_groups: int,
               eps: float = 1e-5) -> torch.Tensor:
    """Statistics per example and group of consecutive channels, over the group and every spatial position."""
    N, C = X.shape[0], X.shape[1]
    groups = X.reshape(N, num_groups, -1)  # group g: channels g * C // G .. (g + 1) * C // G - 1
    mean = groups.mean(dim=2, keepdim=True)
    var = ((groups - mean) ** 2).mean(dim=2, keepdim=True)
    X_hat = ((groups - mean) / torch.sqrt(var + eps)).reshape(X.shape)
    channel = (1, C) + (1,) * (X.dim() - 2)  # gamma and beta along the channel axis
    return gamma.reshape(channel) * X_hat + beta.reshape(channel)
