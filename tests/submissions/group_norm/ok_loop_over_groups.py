"""OK: a loop over the groups, slicing consecutive channels, with var_mean(correction=0) and rsqrt;
the pieces joined with torch.cat.

expect: pass
"""
import torch


def group_norm(X, gamma, beta, G, eps=1e-5):
    C = X.shape[1]
    size = C // G
    pieces = []
    for g in range(G):
        part = X[:, g * size:(g + 1) * size]
        dims = tuple(range(1, part.dim()))
        var, mean = torch.var_mean(part, dim=dims, keepdim=True, correction=0)
        pieces.append((part - mean) * torch.rsqrt(var + eps))
    X_hat = torch.cat(pieces, dim=1)
    view = [1] * X.dim()
    view[1] = C
    return X_hat * gamma.view(view) + beta.view(view)
