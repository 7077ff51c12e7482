"""BUG: weighs x0 by abar_t and the noise by 1 - abar_t (the variances), without the square roots.

expect: fail q_sample
"""
import torch


def _col(v, x):
    return v.reshape((-1,) + (1,) * (x.dim() - 1)).to(x.dtype)


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)


def q_sample(x0, t, noise, alphas_cumprod):
    abar = alphas_cumprod[t]
    return _col(abar, x0) * x0 + _col(1 - abar, x0) * noise


def simple_loss(noise_pred, noise):
    return ((noise - noise_pred) ** 2).mean()


def p_sample(x_t, t, eps_pred, betas, noise):
    abar = torch.cumprod(1 - betas, dim=0)[t]
    beta = betas[t]
    mean = (x_t - _col(beta / (1 - abar).sqrt(), x_t) * eps_pred) / _col((1 - beta).sqrt(), x_t)
    sigma = torch.where(t > 0, beta.sqrt(), torch.zeros_like(beta))
    return mean + _col(sigma, x_t) * noise
