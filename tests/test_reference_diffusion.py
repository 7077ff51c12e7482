"""Check diffusion_step's reference (Ho et al. 2020) against what the paper derives it from: the one-step
forward process q(x_t | x_{t-1}) composed t + 1 times, the posterior mean of equation 7 with x0 recovered
by equation 15, F.mse_loss, and the schedule written out term by term."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tests.test_reference import DTYPES, SEEDS, assert_close, gen, randn, ref

SHAPES = [(3, 5), (2, 3, 7), (4, 2, 3, 3), (2, 2, 3, 2, 2)]


def schedule_by_terms(T, start, end):
    """beta_t = start + (end - start) * t / (T - 1), one term at a time."""
    if T == 1:
        return torch.tensor([start], dtype=torch.float64)
    return torch.tensor([start + (end - start) * t / (T - 1) for t in range(T)], dtype=torch.float64)


@pytest.mark.parametrize("T, start, end", [(1, 1e-4, 0.02), (2, 1e-4, 0.02), (10, 0.001, 0.05), (1000, 1e-4, 0.02)])
def test_linear_schedule_is_the_terms(T, start, end):
    betas = ref("diffusion_step", "linear_beta_schedule")(T, start, end)
    assert betas.dtype == torch.float64 and betas.shape == (T,)
    torch.testing.assert_close(betas, schedule_by_terms(T, start, end), rtol=1e-12, atol=1e-15)
    assert torch.equal(ref("diffusion_step", "linear_beta_schedule")(T), ref("diffusion_step", "linear_beta_schedule")(T, 1e-4, 0.02))


def _forward_moments(betas, t):
    """The mean factor and the variance of x_t given x0 from the one-step process, x_s = sqrt(1 - beta_s)
    x_{s-1} + sqrt(beta_s) eps, composed for s = 0 .. t: mean_s = sqrt(1 - beta_s) mean_{s-1},
    var_s = (1 - beta_s) var_{s-1} + beta_s, from mean = 1, var = 0."""
    mean, var = 1.0, 0.0
    for s in range(int(t) + 1):
        mean, var = (1 - betas[s].item()) ** 0.5 * mean, (1 - betas[s].item()) * var + betas[s].item()
    return mean, var


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_q_sample_has_the_composed_forward_process_moments(seed, shape):
    g = gen(seed)
    T = 50
    betas = schedule_by_terms(T, 1e-4, 0.2)
    alphas_cumprod = torch.cumprod(1 - betas, dim=0)
    t = torch.randint(0, T, (shape[0],), generator=g)
    x0, noise = randn(g, *shape), randn(g, *shape)
    got = ref("diffusion_step", "q_sample")(x0, t, noise, alphas_cumprod)
    for i in range(shape[0]):
        mean, var = _forward_moments(betas, t[i])
        torch.testing.assert_close(got[i], mean * x0[i] + var ** 0.5 * noise[i], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_simple_loss_is_mse(seed, dtype):
    g = gen(seed)
    pred, noise = randn(g, 4, 3, 5, 5, dtype=dtype), randn(g, 4, 3, 5, 5, dtype=dtype)
    assert_close(ref("diffusion_step", "simple_loss")(pred, noise), F.mse_loss(pred, noise), dtype)


def _posterior_mean(x_t, t, eps, betas):
    """Equation 7's mean of q(x_{t-1} | x_t, x0) with x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
    (equation 15), per sample; at t = 0 (the paper's t = 1) abar_{t-1} = 1."""
    abar = torch.cumprod(1 - betas, dim=0)
    out = []
    for i in range(x_t.shape[0]):
        s = int(t[i])
        a, a_prev, b = abar[s].item(), (abar[s - 1].item() if s > 0 else 1.0), betas[s].item()
        x0 = (x_t[i] - (1 - a) ** 0.5 * eps[i]) / a ** 0.5
        out.append(a_prev ** 0.5 * b / (1 - a) * x0 + (1 - b) ** 0.5 * (1 - a_prev) / (1 - a) * x_t[i])
    return torch.stack(out)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_p_sample_is_the_posterior_mean_plus_sqrt_beta_noise(seed, shape):
    g = gen(seed)
    T = 100
    betas = schedule_by_terms(T, 1e-4, 0.02)
    t = torch.randint(0, T, (shape[0],), generator=g)
    t[0] = 0
    x_t, eps, noise = randn(g, *shape), randn(g, *shape), randn(g, *shape)
    got = ref("diffusion_step", "p_sample")(x_t, t, eps, betas, noise)
    sigma = torch.tensor([betas[s].item() ** 0.5 if s > 0 else 0.0 for s in t.tolist()], dtype=torch.float64)
    want = _posterior_mean(x_t, t, eps, betas) + sigma.reshape((-1,) + (1,) * (len(shape) - 1)) * noise
    torch.testing.assert_close(got, want, rtol=1e-9, atol=1e-10)


def test_float32_images_keep_their_dtype():
    g = gen(0)
    betas = schedule_by_terms(1000, 1e-4, 0.02)
    x = randn(g, 2, 3, 4, 4, dtype=torch.float32)
    t = torch.tensor([0, 999])
    assert ref("diffusion_step", "q_sample")(x, t, x, torch.cumprod(1 - betas, 0)).dtype == torch.float32
    assert ref("diffusion_step", "p_sample")(x, t, x, betas, x).dtype == torch.float32
