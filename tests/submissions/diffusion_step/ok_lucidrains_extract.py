"""OK: the style of popular DDPM code: precomputed square roots, an `extract` helper with gather, a
nonzero mask built with view, F.mse_loss.

expect: pass
"""
import torch
import torch.nn.functional as F


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)


def extract(a, t, x_shape):
    batch_size = t.shape[0]
    out = a.gather(-1, t)
    return out.reshape(batch_size, *((1,) * (len(x_shape) - 1)))


def q_sample(x0, t, noise, alphas_cumprod):
    sqrt_alphas_cumprod = torch.sqrt(alphas_cumprod)
    sqrt_one_minus_alphas_cumprod = torch.sqrt(1.0 - alphas_cumprod)
    a = extract(sqrt_alphas_cumprod, t, x0.shape).to(x0.dtype)
    b = extract(sqrt_one_minus_alphas_cumprod, t, x0.shape).to(x0.dtype)
    return a * x0 + b * noise


def simple_loss(noise_pred, noise):
    return F.mse_loss(noise_pred, noise)


def p_sample(x_t, t, eps_pred, betas, noise):
    alphas = 1.0 - betas
    alphas_cumprod = torch.cumprod(alphas, axis=0)
    sqrt_recip_alphas = torch.sqrt(1.0 / alphas)
    betas_t = extract(betas, t, x_t.shape).to(x_t.dtype)
    sqrt_one_minus_alphas_cumprod_t = extract(torch.sqrt(1.0 - alphas_cumprod), t, x_t.shape).to(x_t.dtype)
    sqrt_recip_alphas_t = extract(sqrt_recip_alphas, t, x_t.shape).to(x_t.dtype)
    model_mean = sqrt_recip_alphas_t * (x_t - betas_t * eps_pred / sqrt_one_minus_alphas_cumprod_t)
    nonzero_mask = (t != 0).to(x_t.dtype).view(-1, *([1] * (len(x_t.shape) - 1)))
    return model_mean + nonzero_mask * torch.sqrt(betas_t) * noise
