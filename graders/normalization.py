"""Grader for normalization: layer_norm over the trailing dimensions gamma is shaped like, and
instance_norm per example and channel, with the biased variance, eps, float64 and gradients.

X, gamma and beta are passed positionally, so gradient paths (0,), (1,), (2,) are X, gamma, beta; eps
goes by keyword or is left at its default. Inputs get their own scale and offset per (example, channel)
or per example, so that batch, layer and instance normalisation (which differ only in the dimensions
they average over) give different answers on every case with N > 1 and C > 1.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import missing_keepdim

NAMES = ("X", "gamma", "beta")

LN = "layer norm: per example"
LN_DIMS = "layer norm: the trailing dimensions of gamma"
IN = "instance norm: per example and channel"
IN_AFFINE = "instance norm: gamma and beta per channel"
BIASED = "biased variance"
EPS = "eps"
FLOAT64 = "float64"

HINTS = {
    LN: "Layer normalisation normalises each example on its own (never over the batch): the mean and variance "
        "over the normalised dimensions, keepdim=True, then gamma * (X - mean) / sqrt(var + eps) + beta.",
    LN_DIMS: "The normalised dimensions are the last gamma.dim() dimensions of X (F.layer_norm's "
             "normalized_shape = gamma.shape): dims = tuple(range(X.dim() - gamma.dim(), X.dim())). For X "
             "(B, T, D) and gamma (D,) that is only the last one; for gamma (C, H, W) it is the last three.",
    IN: "Instance normalisation takes the statistics of every (example, channel) pair over H and W only: "
        "X.mean(dim=(2, 3), keepdim=True). Over (0, 2, 3) is batch norm, over (1, 2, 3) is layer norm.",
    IN_AFFINE: "instance_norm's gamma and beta are (C,), one per channel: reshape them to (1, C, 1, 1) "
               "before multiplying, or they broadcast along the last axis (W) instead of the channels.",
    BIASED: "The variance divides by n, not n - 1: ((X - mean) ** 2).mean(...), or X.var(..., correction=0). "
            "X.var() is the unbiased one; the difference shows on few elements.",
    EPS: "eps goes inside the square root and is the one you are given (default 1e-5): "
         "(X - mean) / torch.sqrt(var + eps). sqrt(var) + eps is another function where the variance is small.",
    FLOAT64: "float64 input is checked at float64 precision: compute in X's dtype, no .float() on the way and "
             "no new tensor in the float32 default.",
}

#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    missing_keepdim("X.mean(dim) without keepdim=True drops the averaged dimensions, so X - mean cannot "
                    "broadcast: keep them with keepdim=True"),
)


def _spread(gen, shape, groups, dtype):
    """X whose slices of the first `groups` dimensions each get their own scale and offset."""
    stat = shape[:groups] + (1,) * (len(shape) - groups)
    z = torch.randn(shape, generator=gen, dtype=dtype)
    return z * (torch.rand(stat, generator=gen, dtype=dtype) * 2 + 0.5) + torch.randn(stat, generator=gen,
                                                                                      dtype=dtype) * 2


def _case(prop, gen, function, X, gamma, beta, eps=None):
    kwargs = {} if eps is None else {"eps": eps}
    label = f"{function}(X, gamma, beta" + ("" if eps is None else f", eps={eps:g}") + ")"
    return Case(property=prop, function=function, args=(X, gamma, beta), kwargs=kwargs, names=NAMES, label=label,
                grad=((0,), (1,), (2,)), grad_outputs=[torch.randn(X.shape, generator=gen, dtype=X.dtype)],
                hint=HINTS[prop])


def _layer(prop, gen, shape, k, eps=None, dtype=torch.float32, scale=1.0):
    X = _spread(gen, shape, len(shape) - k, dtype) * scale
    gamma = torch.randn(shape[-k:], generator=gen, dtype=dtype)
    beta = torch.randn(shape[-k:], generator=gen, dtype=dtype)
    return _case(prop, gen, "layer_norm", X, gamma, beta, eps)


def _instance(prop, gen, shape, eps=None, dtype=torch.float32, scale=1.0):
    X = _spread(gen, shape, 2, dtype) * scale
    gamma = torch.randn(shape[1], generator=gen, dtype=dtype)
    beta = torch.randn(shape[1], generator=gen, dtype=dtype)
    return _case(prop, gen, "instance_norm", X, gamma, beta, eps)


def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    return [
        # Layer norm: (batch, D) and the Transformer's (batch, steps, D) with gamma (D,).
        _layer(LN, gen, (2, 4), 1, eps=1e-5),
        _layer(LN, gen, (3, 5), 1),
        _layer(LN, gen, (2, 3, 4), 1, eps=1e-5),
        # The normalised dimensions are gamma's: (C, H, W), (H, W), (steps, D), and (D,) on a 4-D input.
        _layer(LN_DIMS, gen, (2, 3, 2, 2), 3, eps=1e-5),
        _layer(LN_DIMS, gen, (2, 3, 3, 4), 2, eps=1e-5),
        _layer(LN_DIMS, gen, (3, 2, 5), 2),
        _layer(LN_DIMS, gen, (2, 2, 3, 4), 1),
        # Instance norm: N > 1 and C > 1 (batch and layer norm differ), H != W, then W == C, where a (C,)
        # gamma broadcasts along W without an error.
        _instance(IN, gen, (2, 3, 2, 2), eps=1e-5),
        _instance(IN, gen, (3, 2, 3, 4)),
        _instance(IN, gen, (2, 4, 3, 5), eps=1e-5),
        _instance(IN_AFFINE, gen, (2, 3, 2, 3), eps=1e-5),
        _instance(IN_AFFINE, gen, (3, 4, 2, 4)),
        # Biased variance: few elements per group, where n - 1 instead of n is far off.
        _layer(BIASED, gen, (3, 3), 1, eps=1e-5),
        _instance(BIASED, gen, (2, 2, 1, 3), eps=1e-5),
        _instance(BIASED, gen, (2, 3, 2, 2)),
        # eps: the default where the variance is about 1e-5 (so eps counts), then large ones that must be used.
        _layer(EPS, gen, (3, 6), 1, scale=3e-3),
        _instance(EPS, gen, (2, 2, 3, 3), scale=3e-3),
        _layer(EPS, gen, (2, 3, 4), 2, eps=0.5),
        _instance(EPS, gen, (2, 3, 2, 2), eps=2.0),
        # float64, with the default eps on small variances too.
        _layer(FLOAT64, gen, (2, 3, 4), 1, dtype=f64),
        _layer(FLOAT64, gen, (2, 3, 2, 3), 3, dtype=f64, scale=3e-3),
        _instance(FLOAT64, gen, (2, 3, 3, 2), dtype=f64),
        _instance(FLOAT64, gen, (3, 2, 2, 3), dtype=f64, scale=3e-3),
    ]
