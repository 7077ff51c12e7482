"""OK: flattens (N, C, *) to (N * G, rest), normalises the rows with explicit sums, and expands gamma
and beta to every position with repeat_interleave; num_groups used by name throughout.

expect: pass
"""
import torch


def group_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, num_groups: int,
               eps: float = 1e-5) -> torch.Tensor:
    N, C = X.shape[0], X.shape[1]
    rows = X.reshape(N * num_groups, -1)
    n = rows.shape[1]
    mean = rows.sum(dim=1, keepdim=True) / n
    var = ((rows - mean) ** 2).sum(dim=1, keepdim=True) / n
    X_hat = ((rows - mean) / torch.sqrt(var + eps)).reshape(N, -1)
    per_channel = X_hat.shape[1] // C
    scale = gamma.repeat_interleave(per_channel)
    shift = beta.repeat_interleave(per_channel)
    return (X_hat * scale + shift).reshape(X.shape)
