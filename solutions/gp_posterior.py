"""Reference solution for gp_posterior (D2L 18.2, 18.3): RBF kernel, posterior by Cholesky, log marginal likelihood."""

import math

import torch


def _points(x: torch.Tensor) -> torch.Tensor:
    """A 1-D x holds points on a line (the book's); a 2-D x holds one point of d features per row."""
    return x[:, None] if x.dim() == 1 else x


def rbfkernel(x1: torch.Tensor, x2: torch.Tensor, ls: float = 4.0, a: float = 1.0) -> torch.Tensor:
    """K[i, j] = a**2 * exp(-||x1_i - x2_j||**2 / (2 * ls**2)), shape (n, m)."""
    diff = _points(x1)[:, None, :] - _points(x2)[None, :, :]
    return a ** 2 * torch.exp(-(diff ** 2).sum(dim=-1) / (2 * ls ** 2))


def _noisy_cholesky(train_x: torch.Tensor, ls: float, sigma: float, a: float) -> torch.Tensor:
    """The lower Cholesky factor L of K(X, X) + sigma**2 I."""
    K = rbfkernel(train_x, train_x, ls, a)
    eye = torch.eye(K.shape[0], dtype=K.dtype, device=K.device)
    return torch.linalg.cholesky(K + sigma ** 2 * eye)


def gp_posterior(train_x: torch.Tensor, train_y: torch.Tensor, test_x: torch.Tensor, ls: float, sigma: float,
                 a: float = 1.0):
    """The posterior mean (m,) and covariance (m, m) of the latent f at test_x, zero prior mean."""
    L = _noisy_cholesky(train_x, ls, sigma, a)
    K_x_xstar = rbfkernel(train_x, test_x, ls, a)  # (n, m)
    alpha = torch.cholesky_solve(train_y[:, None], L)  # (K + sigma**2 I)^-1 y, (n, 1)
    post_mean = (K_x_xstar.T @ alpha)[:, 0]
    v = torch.linalg.solve_triangular(L, K_x_xstar, upper=False)  # L^-1 K(X, X*), (n, m)
    post_cov = rbfkernel(test_x, test_x, ls, a) - v.T @ v
    return post_mean, post_cov


def log_marginal_likelihood(train_x: torch.Tensor, train_y: torch.Tensor, ls: float, sigma: float,
                            a: float = 1.0) -> torch.Tensor:
    """log N(y; 0, K + sigma**2 I) = -y^T (K + sigma**2 I)^-1 y / 2 - log|K + sigma**2 I| / 2 - n log(2 pi) / 2."""
    L = _noisy_cholesky(train_x, ls, sigma, a)
    alpha = torch.cholesky_solve(train_y[:, None], L)[:, 0]
    half_logdet = torch.log(torch.diagonal(L)).sum()  # log|K + sigma**2 I| = 2 sum log diag L
    return -0.5 * (train_y @ alpha) - half_logdet - 0.5 * train_y.shape[0] * math.log(2 * math.pi)
