"""Reference solution for the factorization_machine exercise (D2L 21.9): the FM score with its O(kn) pairwise term."""

import torch


def fm(X: torch.Tensor, w0: torch.Tensor, w: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
    """Return w0 + X @ w + 0.5 * sum_f ((X @ V)_f ** 2 - (X**2 @ V**2)_f), one score per row of X."""
    square_of_sum = (X @ V) ** 2  # (B, k)
    sum_of_square = (X ** 2) @ (V ** 2)  # (B, k)
    return w0 + X @ w + 0.5 * (square_of_sum - sum_of_square).sum(dim=1)
