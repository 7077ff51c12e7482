"""OK: one channel at a time over a (N, C, -1) view, with torch.rsqrt, then torch.stack; the moving
statistics keep the autograd graph (allowed: the contract only asks gradients to reach X, gamma, beta).

expect: pass
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    N, C = X.shape[0], X.shape[1]
    V = X.reshape(N, C, -1)
    g = gamma.reshape(C)
    b = beta.reshape(C)
    mm = moving_mean.reshape(C)
    mv = moving_var.reshape(C)
    outs, means, variances = [], [], []
    for c in range(C):
        x = V[:, c, :]
        if training:
            mu = x.mean()
            var = (x - mu).pow(2).mean()
        else:
            mu, var = mm[c], mv[c]
        outs.append(g[c] * (x - mu) * torch.rsqrt(var + eps) + b[c])
        means.append(mu)
        variances.append(var)
    Y = torch.stack(outs, dim=1).reshape(X.shape)
    if not training:
        return Y, moving_mean, moving_var
    mean = torch.stack(means).reshape(moving_mean.shape)
    var = torch.stack(variances).reshape(moving_var.shape)
    return Y, momentum * moving_mean + (1 - momentum) * mean, momentum * moving_var + (1 - momentum) * var
