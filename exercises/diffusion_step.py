"""Exercise diffusion_step (beyond D2L 20.2; Ho et al. 2020, DDPM): the schedule, q_sample, the simple loss, p_sample."""

import torch


def linear_beta_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> torch.Tensor:
    """Return the T noise levels beta_0 .. beta_{T-1}, evenly spaced from beta_start to beta_end, in float64.

    Ho, Jain and Abbeel, Denoising Diffusion Probabilistic Models (NeurIPS 2020), section 4:
    https://arxiv.org/abs/2006.11239

    What to implement
        beta_t = beta_start + (beta_end - beta_start) * t / (T - 1) for t = 0 .. T - 1: the first is
        beta_start, the last beta_end (T = 1 gives [beta_start]).

    Shapes
        Result: (T,), float64 (the schedule is kept in float64; images are cast where they meet it).

    Forbidden
        nothing: torch.linspace is allowed.
    """
    raise NotImplementedError("linear_beta_schedule: fill in this function")


def q_sample(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, alphas_cumprod: torch.Tensor) -> torch.Tensor:
    """Return x_t = sqrt(abar_t) * x0 + sqrt(1 - abar_t) * noise, each sample with its own step t.

    Ho et al. 2020, equation 4 and Algorithm 1 (beyond D2L 20.2, generative models):
    https://arxiv.org/abs/2006.11239

    What to implement
        abar_t = alphas_cumprod[t] (steps count from 0: the product of 1 - beta up to and including t),
        one per sample, broadcast over every axis of x0 after the first.

    Shapes
        x0 (N, ...) any shape: (N, D), (N, C, L), (N, C, H, W), (N, C, D, H, W); t (N,) int64;
        noise like x0; alphas_cumprod (T,) float64. Result: x0's shape and dtype, on its device.

    Conventions
        - Shape the per-sample coefficients (N, 1, ..., 1), not a fixed view(-1, 1, 1, 1).
        - Gradients flow to x0 and noise; do not modify the arguments.

    Forbidden
        nothing: the formula is the exercise.
    """
    raise NotImplementedError("q_sample: fill in this function")


def simple_loss(noise_pred: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """Return the simple loss: the mean over every element of (noise - noise_pred) ** 2.

    Ho et al. 2020, equation 14 (L_simple): https://arxiv.org/abs/2006.11239

    Shapes
        noise_pred and noise (N, ...) alike. Result: shape (), in their dtype; gradients flow to noise_pred.

    Forbidden
        nothing: F.mse_loss is allowed.
    """
    raise NotImplementedError("simple_loss: fill in this function")


def p_sample(x_t: torch.Tensor, t: torch.Tensor, eps_pred: torch.Tensor, betas: torch.Tensor,
             noise: torch.Tensor) -> torch.Tensor:
    """Return x_{t-1}, one reverse step from x_t given the model's noise prediction and a fixed noise tensor.

    Ho et al. 2020, Algorithm 2: https://arxiv.org/abs/2006.11239

    What to implement
        alpha_t = 1 - beta_t and abar_t = torch.cumprod(1 - betas, dim=0)[t], per sample:
        x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) * eps_pred) / sqrt(alpha_t) + sigma_t * noise,
        with sigma_t ** 2 = beta_t (not the posterior variance), and no noise for a sample whose t is 0.

    Shapes
        x_t (N, ...) any shape; t (N,) int64; eps_pred and noise like x_t; betas (T,) float64.
        Result: x_t's shape and dtype, on its device.

    Conventions
        - Steps count from 0: t = 0 is the last step and adds no noise, sample by sample.
        - Gradients flow to x_t and eps_pred; do not modify the arguments.

    Forbidden
        nothing: the formula is the exercise.
    """
    raise NotImplementedError("p_sample: fill in this function")
