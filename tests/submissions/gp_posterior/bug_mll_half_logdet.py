"""BUG: forgets that log|K + sigma**2 I| is twice the sum of log(diag(L)): -0.5 * log(diag(L)).sum().

expect: fail log marginal likelihood
"""
import math

import torch


def _pts(x):
    return x[:, None] if x.dim() == 1 else x


def rbfkernel(x1, x2, ls=4.0, a=1.0):
    d2 = ((_pts(x1)[:, None, :] - _pts(x2)[None, :, :]) ** 2).sum(-1)
    return a ** 2 * torch.exp(-d2 / (2 * ls ** 2))


def _chol(train_x, ls, sigma, a):
    K = rbfkernel(train_x, train_x, ls, a)
    return torch.linalg.cholesky(K + sigma ** 2 * torch.eye(K.shape[0], dtype=K.dtype, device=K.device))


def gp_posterior(train_x, train_y, test_x, ls, sigma, a=1.0):
    L = _chol(train_x, ls, sigma, a)
    Ks = rbfkernel(train_x, test_x, ls, a)
    mean = Ks.T @ torch.cholesky_solve(train_y[:, None], L)[:, 0]
    v = torch.linalg.solve_triangular(L, Ks, upper=False)
    return mean, rbfkernel(test_x, test_x, ls, a) - v.T @ v


def log_marginal_likelihood(train_x, train_y, ls, sigma, a=1.0):
    L = _chol(train_x, ls, sigma, a)
    alpha = torch.cholesky_solve(train_y[:, None], L)[:, 0]
    return -0.5 * train_y @ alpha - 0.5 * torch.log(torch.diagonal(L)).sum() - 0.5 * len(train_y) * math.log(2 * math.pi)
