"""OK: the book's square-of-sum / sum-of-square names, with private helpers and a loop over the factors.

expect: pass
"""
import torch


def _square_of_sum(X, V):
    return (X @ V) ** 2


def _sum_of_square(X, V):
    return (X * X) @ (V * V)


def fm(X, w0, w, V):
    pairwise = torch.zeros(X.shape[0], dtype=X.dtype, device=X.device)
    square_of_sum, sum_of_square = _square_of_sum(X, V), _sum_of_square(X, V)
    for f in range(V.shape[1]):
        pairwise = pairwise + 0.5 * (square_of_sum[:, f] - sum_of_square[:, f])
    return w0 + torch.mv(X, w) + pairwise
