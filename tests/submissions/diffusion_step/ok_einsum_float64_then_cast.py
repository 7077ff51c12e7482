"""OK: computes in float64 throughout and casts the result back; the coefficients applied with einsum
over a flattened view.

expect: pass
"""
import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    frac = torch.arange(T, dtype=torch.float64) / max(T - 1, 1)
    return (1 - frac) * beta_start + frac * beta_end


def _scale(coef, x):
    flat = x.reshape(x.shape[0], -1)
    return torch.einsum("n,nk->nk", coef, flat).reshape(x.shape)


def q_sample(x0, t, noise, alphas_cumprod):
    abar = alphas_cumprod[t]
    out = _scale(abar.sqrt(), x0.double()) + _scale((1 - abar).sqrt(), noise.double())
    return out.to(x0.dtype)


def simple_loss(noise_pred, noise):
    return (noise_pred - noise).pow(2).mean()


def p_sample(x_t, t, eps_pred, betas, noise):
    abar = torch.cumprod(1 - betas, dim=0)[t]
    beta = betas[t]
    x, e, z = x_t.double(), eps_pred.double(), noise.double()
    mean = _scale(1 / (1 - beta).sqrt(), x - _scale(beta / (1 - abar).sqrt(), e))
    sigma = beta.sqrt() * (t > 0)
    return (mean + _scale(sigma, z)).to(x_t.dtype)
