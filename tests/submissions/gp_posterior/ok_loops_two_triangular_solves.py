"""OK: the kernel entry by entry in Python loops, the Cholesky factor with two triangular solves (L, then L^T),
the log determinant from the factor's diagonal.

expect: pass
"""
import math

import torch


def rbfkernel(x1, x2, ls=4.0, a=1.0):
    rows = []
    for i in range(x1.shape[0]):
        row = []
        for j in range(x2.shape[0]):
            diff = x1[i] - x2[j]
            row.append(a ** 2 * torch.exp(-torch.sum(diff * diff) / (2 * ls * ls)))
        rows.append(torch.stack(row))
    return torch.stack(rows)


class _Factor:
    def __init__(self, train_x, ls, sigma, a):
        K = rbfkernel(train_x, train_x, ls, a)
        eye = torch.eye(K.shape[0], dtype=K.dtype, device=K.device)
        self.L = torch.linalg.cholesky(K + sigma ** 2 * eye)

    def solve(self, B):
        y = torch.linalg.solve_triangular(self.L, B, upper=False)
        return torch.linalg.solve_triangular(self.L.T, y, upper=True)


def gp_posterior(train_x, train_y, test_x, ls, sigma, a=1.0):
    factor = _Factor(train_x, ls, sigma, a)
    K_x_xstar = rbfkernel(train_x, test_x, ls, a)
    post_mean = (K_x_xstar.T @ factor.solve(train_y.unsqueeze(1))).squeeze(1)
    post_cov = rbfkernel(test_x, test_x, ls, a) - K_x_xstar.T @ factor.solve(K_x_xstar)
    return post_mean, post_cov


def log_marginal_likelihood(train_x, train_y, ls, sigma, a=1.0):
    factor = _Factor(train_x, ls, sigma, a)
    alpha = factor.solve(train_y.unsqueeze(1)).squeeze(1)
    logdet = 2 * torch.log(torch.diagonal(factor.L)).sum()
    return -0.5 * torch.dot(train_y, alpha) - 0.5 * logdet - 0.5 * train_y.shape[0] * math.log(2 * math.pi)
