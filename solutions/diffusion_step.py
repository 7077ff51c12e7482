"""Reference solution for diffusion_step (Ho et al. 2020, DDPM): the schedule, q_sample, the simple loss, p_sample."""

import torch


def linear_beta_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> torch.Tensor:
    """beta_0 .. beta_{T-1} evenly spaced from beta_start to beta_end, in float64."""
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)


def _per_sample(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """One coefficient per sample, shaped (N, 1, ..., 1) to broadcast over `like`, in its dtype (the
    coefficients are computed in the schedule's float64 first: 1 - abar_t is small where t is)."""
    return values.reshape((-1,) + (1,) * (like.dim() - 1)).to(like.dtype)


def q_sample(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, alphas_cumprod: torch.Tensor) -> torch.Tensor:
    """x_t = sqrt(abar_t) * x0 + sqrt(1 - abar_t) * noise, with each sample's own t."""
    abar = alphas_cumprod[t]
    return _per_sample(abar.sqrt(), x0) * x0 + _per_sample((1 - abar).sqrt(), x0) * noise


def simple_loss(noise_pred: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """The mean over every element of (noise - noise_pred) ** 2."""
    return ((noise - noise_pred) ** 2).mean()


def p_sample(x_t: torch.Tensor, t: torch.Tensor, eps_pred: torch.Tensor, betas: torch.Tensor,
             noise: torch.Tensor) -> torch.Tensor:
    """One reverse step: the mean of p(x_{t-1} | x_t) plus sqrt(beta_t) * noise, and no noise where t = 0."""
    abar = torch.cumprod(1 - betas, dim=0)[t]
    beta = betas[t]
    scale = _per_sample(1 / (1 - beta).sqrt(), x_t)
    mean = scale * (x_t - _per_sample(beta / (1 - abar).sqrt(), x_t) * eps_pred)
    sigma = torch.where(t > 0, beta.sqrt(), torch.zeros_like(beta))
    return mean + _per_sample(sigma, x_t) * noise
