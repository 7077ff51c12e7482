"""OK: one sample at a time with Python floats from math.sqrt, a private helper, the schedule by arange.

expect: pass
"""
import math

import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    if T == 1:
        return torch.tensor([beta_start], dtype=torch.float64)
    step = (beta_end - beta_start) / (T - 1)
    return beta_start + step * torch.arange(T, dtype=torch.float64)


def _one(x, a, b, other):
    return a * x + b * other


def q_sample(x0, t, noise, alphas_cumprod):
    rows = []
    for i in range(x0.shape[0]):
        abar = alphas_cumprod[t[i]].item()
        rows.append(_one(x0[i], math.sqrt(abar), math.sqrt(1 - abar), noise[i]))
    return torch.stack(rows)


def simple_loss(noise_pred, noise):
    diff = noise - noise_pred
    return (diff * diff).sum() / diff.numel()


def p_sample(x_t, t, eps_pred, betas, noise):
    alphas_cumprod = torch.cumprod(1 - betas, dim=0)
    rows = []
    for i in range(x_t.shape[0]):
        step = int(t[i])
        beta, abar = betas[step].item(), alphas_cumprod[step].item()
        mean = (x_t[i] - beta / math.sqrt(1 - abar) * eps_pred[i]) / math.sqrt(1 - beta)
        rows.append(mean + math.sqrt(beta) * noise[i] if step > 0 else mean)
    return torch.stack(rows)
