"""OK: torch.cdist for the distances, torch.linalg.solve instead of a Cholesky factor, einsum for the products,
slogdet for the log determinant, and a private helper.

expect: pass
"""
import math

import torch


def _as_rows(x):
    return x.reshape(x.shape[0], -1)


def rbfkernel(x1, x2, ls=4.0, a=1.0):
    d = torch.cdist(_as_rows(x1), _as_rows(x2))
    return (a * a) * torch.exp(-0.5 * (d / ls) ** 2)


def _noisy(train_x, ls, sigma, a):
    K = rbfkernel(train_x, train_x, ls, a)
    return K + torch.diag(torch.full_like(K[0], sigma ** 2))


def gp_posterior(train_x, train_y, test_x, ls, sigma, a=1.0):
    K = _noisy(train_x, ls, sigma, a)
    K_s = rbfkernel(train_x, test_x, ls, a)
    weights = torch.linalg.solve(K, K_s)  # (n, m)
    mean = torch.einsum("nm,n->m", weights, train_y)
    cov = rbfkernel(test_x, test_x, ls, a) - torch.einsum("nm,nk->mk", K_s, weights)
    return mean, cov


def log_marginal_likelihood(train_x, train_y, ls, sigma, a=1.0):
    K = _noisy(train_x, ls, sigma, a)
    n = train_y.shape[0]
    fit = torch.einsum("n,n->", train_y, torch.linalg.solve(K, train_y))
    return -(fit + torch.linalg.slogdet(K).logabsdet + n * math.log(2 * math.pi)) / 2
