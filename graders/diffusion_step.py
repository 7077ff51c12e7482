"""Grader for diffusion_step (Ho et al. 2020, beyond D2L 20.2): the linear beta schedule, q_sample with one
step per sample over images of any shape, the simple loss, and one reverse step with sigma_t^2 = beta_t and
no noise where t = 0, in float32 and float64.

The schedule takes no tensor, so its cases run on the CPU only (as positional_encoding's plain calls do).
Time steps count from 0 (the authors' code and diffusers): alphas_cumprod[t] is the product up to and
including t. The schedule is built in the grader (float64, the paper's 1e-4 to 0.02) and sent as an
argument; the variants a diagnosis tests are computed in float64 from the case's own arguments. Within a
property the cases go smallest first, so the first failing one is the smallest counterexample.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close

LINEAR = "linear schedule"
Q = "q_sample"
SIMPLE = "simple loss"
REVERSE = "reverse step"
NO_NOISE = "no noise at t = 0"
SHAPES = "any image shape"
FLOAT64 = "float64"

HINTS = {
    LINEAR: "beta_t runs evenly from beta_start (t = 0) to beta_end (t = T - 1), both included, in float64: "
            "torch.linspace(beta_start, beta_end, T, dtype=torch.float64). The defaults are the paper's, "
            "1e-4 and 0.02.",
    Q: "Ho et al. 2020, equation 4: x_t = sqrt(abar_t) * x0 + sqrt(1 - abar_t) * noise, with abar_t = "
       "alphas_cumprod[t] for each sample's own t (steps count from 0).",
    SIMPLE: "Equation 14: the mean over every element of (noise - noise_pred) ** 2, the batch, channels and "
            "pixels alike: ((noise - noise_pred) ** 2).mean().",
    REVERSE: "Algorithm 2: x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) * eps_pred) / sqrt(alpha_t) + sqrt(beta_t) "
             "* noise, with alpha_t = 1 - beta_t and abar_t = torch.cumprod(1 - betas, dim=0)[t].",
    NO_NOISE: "Where t = 0 the step returns the mean alone: multiply the noise term by (t > 0), shaped "
              "(N, 1, ..., 1), sample by sample; the other samples of the batch keep their noise.",
    SHAPES: "Shape each sample's coefficient (N,) as (N, 1, ..., 1), one 1 per axis of x after the first: "
            "coef.reshape((-1,) + (1,) * (x.dim() - 1)). A fixed view(-1, 1, 1, 1) fits only 4-d images.",
    FLOAT64: "Keep the result in the images' dtype at its precision: take the coefficients from the float64 "
             "schedule and cast them to x's dtype (.to(x.dtype)) just before they meet x, not x to float32.",
}


def _column(values, like):
    return values.reshape((-1,) + (1,) * (like.dim() - 1))


def _q(case, abar_of, swap=False, root=True):
    """q_sample of the case's arguments (float64) with abar_t = abar_of(alphas_cumprod, t)."""
    x0, t, noise, alphas_cumprod = (a.double() if a.is_floating_point() else a for a in case.args)
    abar = _column(abar_of(alphas_cumprod, t), x0)
    a, b = (abar, 1 - abar) if not swap else (1 - abar, abar)
    if root:
        a, b = a.sqrt(), b.sqrt()
    return a * x0 + b * noise


def _q_variant(**kw):
    def when(expected, actual, case):
        return case.function == "q_sample" and close(actual, _q(case, **kw))
    return when


def _p(case, variance="beta", scale_by_abar=False, noise_where=lambda t: t > 0):
    """p_sample of the case's arguments (float64) with another variance, scale or noise rule."""
    x_t, t, eps_pred, betas, noise = (a.double() if a.is_floating_point() else a for a in case.args)
    abar_all = torch.cumprod(1 - betas, dim=0)
    beta, abar = betas[t], abar_all[t]
    alpha = abar if scale_by_abar else 1 - beta
    mean = (x_t - _column(beta / (1 - abar).sqrt(), x_t) * eps_pred) / _column(alpha.sqrt(), x_t)
    if variance == "beta":
        var = beta
    elif variance == "posterior":
        abar_prev = torch.where(t > 0, abar_all[(t - 1).clamp(min=0)], torch.ones_like(abar))
        var = (1 - abar_prev) / (1 - abar) * beta
    else:  # the standard deviation given beta itself
        var = beta ** 2
    sigma = torch.where(noise_where(t), var.sqrt(), torch.zeros_like(var))
    return mean + _column(sigma, x_t) * noise


def _p_variant(**kw):
    def when(expected, actual, case):
        return case.function == "p_sample" and close(actual, _p(case, **kw))
    return when


def _loss_scaled(factor):
    def when(expected, actual, case):
        return case.function == "simple_loss" and close(actual, expected.double() * factor(case.args[0]))
    return when


def _schedule_excludes_end(expected, actual, case) -> bool:
    if case.function != "linear_beta_schedule":
        return False
    T, start, end = (list(case.args) + [1e-4, 0.02])[:3]
    return close(actual, start + (end - start) * torch.arange(T, dtype=torch.float64) / T)


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py), each limited to the
#: properties whose cases can show it, so the most specific one leads.
DIAGNOSES = (
    Diagnosis(when=_schedule_excludes_end, properties=(LINEAR,),
              hint="yours stops one step short of beta_end: (end - start) * t / T never reaches it. The last "
                   "step, t = T - 1, is beta_end: divide by T - 1, or torch.linspace(start, end, T), which "
                   "includes both ends"),
    Diagnosis(when=_q_variant(abar_of=lambda a, t: a[t], root=False), properties=(Q, SHAPES, FLOAT64),
              hint="yours weighs x0 by abar_t and the noise by 1 - abar_t: those are the variances of equation "
                   "4. The sample takes their square roots, sqrt(abar_t) * x0 + sqrt(1 - abar_t) * noise"),
    Diagnosis(when=_q_variant(abar_of=lambda a, t: a[t], swap=True), properties=(Q, SHAPES, FLOAT64),
              hint="yours swaps the weights: x0 gets sqrt(1 - abar_t) and the noise sqrt(abar_t). abar_t is "
                   "close to 1 at small t, where x_t is almost x0: sqrt(abar_t) * x0 + sqrt(1 - abar_t) * noise"),
    Diagnosis(when=_q_variant(abar_of=lambda a, t: a[t - 1]), properties=(Q, SHAPES, FLOAT64),
              hint="yours takes alphas_cumprod[t - 1]: the paper's steps count from 1, this course's (and the "
                   "authors' code's) from 0, so step t uses alphas_cumprod[t], the product up to and "
                   "including t"),
    Diagnosis(when=_q_variant(abar_of=lambda a, t: torch.cumprod(a, dim=0)[t]), properties=(Q, SHAPES, FLOAT64),
              hint="alphas_cumprod is already the cumulative product abar_t: index it, alphas_cumprod[t], "
                   "without another torch.cumprod"),
    Diagnosis(when=_p_variant(variance="posterior"), properties=(REVERSE, NO_NOISE, SHAPES, FLOAT64),
              hint="yours uses the posterior's variance, beta~_t = (1 - abar_{t-1}) / (1 - abar_t) * beta_t, "
                   "the paper's second choice: the contract (Algorithm 2's first) takes sigma_t^2 = beta_t, "
                   "so sigma_t = sqrt(beta_t)"),
    Diagnosis(when=_p_variant(variance="std"), properties=(REVERSE, NO_NOISE, SHAPES, FLOAT64),
              hint="yours adds beta_t * noise: beta_t is the variance sigma_t^2, so the noise is scaled by "
                   "its square root, sqrt(beta_t) * noise"),
    Diagnosis(when=_p_variant(scale_by_abar=True), properties=(REVERSE, NO_NOISE, SHAPES, FLOAT64),
              hint="yours divides by sqrt(abar_t), the cumulative product: the step undoes one step's scaling, "
                   "1 / sqrt(alpha_t) with alpha_t = 1 - beta_t. abar_t appears only in beta_t / "
                   "sqrt(1 - abar_t)"),
    Diagnosis(when=_p_variant(noise_where=lambda t: t >= 0), properties=(NO_NOISE,),
              hint="yours adds the noise at t = 0 too: the last step (t = 0) returns the mean alone. Multiply "
                   "the noise term by (t > 0), shaped (N, 1, ..., 1)"),
    Diagnosis(when=_p_variant(noise_where=lambda t: (t > 0).all().expand(t.shape)), properties=(NO_NOISE,),
              hint="yours drops the noise for the whole batch when one sample is at t = 0: decide per sample, "
                   "(t > 0) shaped (N, 1, ..., 1), so the other samples keep their noise"),
    Diagnosis(when=_loss_scaled(lambda x: x.numel()), properties=(SIMPLE, FLOAT64),
              hint="yours is the sum of the squared errors: the simple loss is their mean over every element, "
                   ".mean(), not .sum()"),
    Diagnosis(when=_loss_scaled(lambda x: x.shape[0]), properties=(SIMPLE, FLOAT64),
              hint="yours sums the per-sample means over the batch: average over the batch too, the mean over "
                   "every element"),
    Diagnosis(error=r"must match the size of tensor|shape .* is invalid for input|doesn't match the broadcast",
              properties=(Q, REVERSE, NO_NOISE, SHAPES, FLOAT64), hint=HINTS[SHAPES]),
)


def _schedule(T, start=1e-4, end=0.02):
    return torch.linspace(start, end, T, dtype=torch.float64)


def _steps(gen, N, T, low=0):
    """N distinct steps in [low, T) when there are enough of them, in random order."""
    span = T - low
    picks = torch.randperm(span, generator=gen)[:N] if span >= N else torch.randint(0, span, (N,), generator=gen)
    return picks + low


def _randn(gen, shape, dtype=torch.float32):
    return torch.randn(shape, generator=gen, dtype=torch.float64).to(dtype)


def _linear(*args):
    text = ", ".join(f"{a:g}" for a in args)
    return Case(property=LINEAR, function="linear_beta_schedule", args=args, names=("T", "beta_start", "beta_end"),
                label=f"linear_beta_schedule({text})", hint=HINTS[LINEAR], devices=("cpu",), meta=False)


def _q_case(prop, gen, shape, T, dtype=torch.float32, t=None, requires=()):
    t = _steps(gen, shape[0], T) if t is None else torch.tensor(t)
    x0, noise = _randn(gen, shape, dtype), _randn(gen, shape, dtype)
    abar = torch.cumprod(1 - _schedule(T), dim=0)
    return Case(property=prop, function="q_sample", args=(x0, t, noise, abar),
                names=("x0", "t", "noise", "alphas_cumprod"),
                label=f"q_sample(x0 {tuple(shape)}, t={t.tolist()}, noise, alphas_cumprod of T={T})",
                grad=((0,), (2,)), grad_outputs=[_randn(gen, shape, dtype)], hint=HINTS[prop], requires=requires)


def _loss_case(prop, gen, shape, dtype=torch.float32, requires=()):
    return Case(property=prop, function="simple_loss", args=(_randn(gen, shape, dtype), _randn(gen, shape, dtype)),
                names=("noise_pred", "noise"), label=f"simple_loss(noise_pred {tuple(shape)}, noise)",
                grad=((0,),), grad_outputs=[_randn(gen, (), dtype)], hint=HINTS[prop], requires=requires)


def _p_case(prop, gen, shape, T, dtype=torch.float32, t=None, requires=()):
    t = _steps(gen, shape[0], T, low=1) if t is None else torch.tensor(t)
    x_t, eps_pred, noise = (_randn(gen, shape, dtype) for _ in range(3))
    return Case(property=prop, function="p_sample", args=(x_t, t, eps_pred, _schedule(T), noise),
                names=("x_t", "t", "eps_pred", "betas", "noise"),
                label=f"p_sample(x_t {tuple(shape)}, t={t.tolist()}, eps_pred, betas of T={T}, noise)",
                grad=((0,), (2,)), grad_outputs=[_randn(gen, shape, dtype)], hint=HINTS[prop], requires=requires)


#: What a reverse step on another shape or dtype builds on.
STEP = (REVERSE, NO_NOISE)


def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    return [
        _linear(1), _linear(5), _linear(10, 0.001, 0.05), _linear(1000),
        _q_case(Q, gen, (2, 1, 2, 2), 10),
        _q_case(Q, gen, (3, 2, 4, 4), 1000),
        _q_case(Q, gen, (4, 3, 8, 8), 1000, t=[0, 999, 1, 500]),
        _loss_case(SIMPLE, gen, (2, 3)),
        _loss_case(SIMPLE, gen, (4, 1, 5, 5)),
        _loss_case(SIMPLE, gen, (8, 3, 4, 4)),
        _p_case(REVERSE, gen, (2, 1, 2, 2), 10),
        _p_case(REVERSE, gen, (3, 2, 4, 4), 1000),
        _p_case(REVERSE, gen, (4, 3, 8, 8), 1000, t=[1, 999, 2, 500]),
        _p_case(NO_NOISE, gen, (2, 1, 2, 2), 10, t=[0, 0], requires=(REVERSE,)),
        _p_case(NO_NOISE, gen, (4, 2, 3, 3), 1000, t=[0, 7, 0, 999], requires=(REVERSE,)),
        # The same formulas on other shapes and in float64: shown after the property they build on.
        _q_case(SHAPES, gen, (3, 5), 100, requires=(Q,)),
        _p_case(SHAPES, gen, (3, 5), 100, t=[0, 50, 99], requires=STEP),
        _q_case(SHAPES, gen, (2, 3, 7), 100, requires=(Q,)),
        _p_case(SHAPES, gen, (2, 3, 7), 100, requires=STEP),
        _q_case(SHAPES, gen, (2, 2, 3, 4, 4), 1000, requires=(Q,)),
        _p_case(SHAPES, gen, (2, 2, 3, 4, 4), 1000, t=[0, 3], requires=STEP),
        _q_case(FLOAT64, gen, (3, 2, 4, 4), 1000, dtype=f64, t=[0, 10, 999], requires=(Q,)),
        _loss_case(FLOAT64, gen, (4, 3, 4, 4), dtype=f64, requires=(SIMPLE,)),
        _p_case(FLOAT64, gen, (3, 2, 4, 4), 1000, dtype=f64, t=[0, 1, 999], requires=STEP),
    ]
