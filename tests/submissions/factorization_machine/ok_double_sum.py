"""OK: the O(kn^2) double sum over pairs i < j, by a mask of the upper triangle: slower, same values.

expect: pass
"""
import torch


def fm(X, w0, w, V):
    n = X.shape[1]
    inner = V @ V.T  # <v_i, v_j>
    upper = torch.triu(torch.ones(n, n, dtype=torch.bool, device=X.device), diagonal=1)
    pairs = torch.einsum("bi,ij,bj->b", X, inner * upper, X)
    return w0 + X @ w + pairs
