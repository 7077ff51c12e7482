"""OK: the book's own steps (D2L 18.3): an explicit inverse for the mean and the covariance, log(det(.)) for the
log determinant, the kernel written as the book's exp(-(1. / ls / 2) * dist ** 2) with ls squared.

expect: pass
"""
import math

import torch


def rbfkernel(x1, x2, ls=4., a=1.):
    if x1.dim() == 1:
        x1, x2 = x1.unsqueeze(1), x2.unsqueeze(1)
    dist_sq = ((x1.unsqueeze(1) - x2.unsqueeze(0)) ** 2).sum(dim=2)
    return a ** 2 * torch.exp(-(1. / ls ** 2 / 2) * dist_sq)


def gp_posterior(train_x, train_y, test_x, ls, sigma, a=1.):
    K_x_xstar = rbfkernel(train_x, test_x, ls=ls, a=a)
    K_x_x = rbfkernel(train_x, train_x, ls=ls, a=a)
    K_xstar_xstar = rbfkernel(test_x, test_x, ls=ls, a=a)
    inv = torch.inverse(K_x_x + sigma ** 2 * torch.eye(train_x.shape[0], dtype=K_x_x.dtype, device=K_x_x.device))
    post_mean = K_x_xstar.T @ inv @ train_y
    post_cov = K_xstar_xstar - K_x_xstar.T @ inv @ K_x_xstar
    return post_mean, post_cov


def log_marginal_likelihood(train_x, train_y, ls, sigma, a=1.):
    K = rbfkernel(train_x, train_x, ls=ls, a=a) + sigma ** 2 * torch.eye(
        train_x.shape[0], dtype=train_y.dtype, device=train_y.device)
    kernel_term = -0.5 * train_y @ torch.inverse(K) @ train_y
    logdet = -0.5 * torch.log(torch.det(K))
    const = -train_x.shape[0] / 2. * math.log(2 * math.pi)
    return kernel_term + logdet + const
