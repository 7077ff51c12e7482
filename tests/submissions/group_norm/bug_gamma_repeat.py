"""BUG: applies gamma and beta on the flattened grouped view with repeat instead of repeat_interleave, so
element i of a group gets gamma[i % C] rather than its own channel's.

expect: fail gamma and beta per channel; values
"""
import torch


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    N, C = X.shape[:2]
    flat = X.reshape(N, C, -1)
    L = flat.shape[2]
    Xg = flat.reshape(N, num_groups, -1)
    mean = Xg.mean(dim=2, keepdim=True)
    var = ((Xg - mean) ** 2).mean(dim=2, keepdim=True)
    X_hat = ((Xg - mean) / torch.sqrt(var + eps)).reshape(N, C * L)
    Y = X_hat * gamma.repeat(L) + beta.repeat(L)
    return Y.reshape(X.shape)
