"""Grader for group_norm (Wu & He 2018, beside D2L 8.5): statistics per example and group of consecutive
channels, over the group and every spatial position; num_groups=1 (layer norm) and num_groups=C
(instance norm); no, one, two and three spatial dimensions; gamma and beta per channel; the biased
variance, eps, float64 and gradients.

X, gamma and beta are passed positionally and so is num_groups (a learner may call it G or groups), so
gradient paths (0,), (1,), (2,) are X, gamma, beta; eps goes by keyword or is left at its default.
Every (example, channel) slice of X gets its own scale and offset, so that grouping consecutive
channels, grouping every G-th channel, and normalising per example or per channel all give different
answers; C / num_groups differs from num_groups wherever a group size could be taken for a count.
Cases outside the spatial-dimensions property are 4-D, so a 2-D-only solution loses that property alone.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import BROADCAST_ERROR, Diagnosis, close

NAMES = ("X", "gamma", "beta")

VALUES = "values"
CONSECUTIVE = "groups of consecutive channels"
LAYER = "num_groups=1 (layer norm)"
INSTANCE = "num_groups=C (instance norm)"
SPATIAL = "any number of spatial dimensions"
AFFINE = "gamma and beta per channel"
BIASED = "biased variance"
EPS = "eps"
FLOAT64 = "float64"

HINTS = {
    VALUES: "Wu & He 2018, section 3.1: reshape X to (N, num_groups, -1), take the mean and the biased "
            "variance of each row (keepdim=True), X_hat = (X - mean) / sqrt(var + eps), reshape back to X's "
            "shape, then gamma[c] * X_hat + beta[c] per channel.",
    CONSECUTIVE: "Group g holds the consecutive channels g * C // num_groups .. (g + 1) * C // num_groups - 1: "
                 "X.reshape(N, num_groups, -1) keeps them together. X.reshape(N, C // num_groups, num_groups, "
                 "...) groups every num_groups-th channel instead, and num_groups is the number of groups, not "
                 "the number of channels in each.",
    LAYER: "num_groups=1 puts every channel in one group: each example is normalised over all of (C, *), as "
           "layer normalisation does, then scaled and shifted per channel.",
    INSTANCE: "num_groups=C gives each channel a group of its own: each (example, channel) is normalised over "
              "its spatial positions, as instance normalisation does.",
    SPATIAL: "X is (N, C, *) with any number of spatial dimensions, none included: reshape with -1 "
             "(X.reshape(N, num_groups, -1)) instead of unpacking H and W, reshape back with X.shape, and "
             "shape gamma and beta as (1, C) + (1,) * (X.dim() - 2).",
    AFFINE: "gamma and beta are (C,), one per channel, not per group: after reshaping X_hat back to X's shape, "
            "multiply by gamma.reshape(1, C, 1, ...) and add beta.reshape(1, C, 1, ...). A (C,) gamma left as "
            "it is broadcasts along the last axis instead of the channels.",
    BIASED: "The variance divides by n, not n - 1: ((Xg - mean) ** 2).mean(...), or Xg.var(..., correction=0). "
            "Xg.var() is the unbiased one; the difference shows on small groups.",
    EPS: "eps goes inside the square root and is the one you are given (default 1e-5): "
         "(X - mean) / torch.sqrt(var + eps). sqrt(var) + eps is another function where the variance is small.",
    FLOAT64: "float64 input is checked at float64 precision: compute in X's dtype, no .float() on the way and "
             "no new tensor in the float32 default.",
}


def _normalised(X, num_groups, eps, correction=0, outside=False, grouping="consecutive"):
    """X normalised per example and group (float64), with the variants a learner might write instead."""
    X = X.double()
    N, C = X.shape[:2]
    if grouping == "strided":  # every num_groups-th channel in a group
        Z = X.reshape(N, C // num_groups, num_groups, -1).transpose(1, 2).reshape(N, num_groups, -1)
    elif grouping == "batch":  # statistics over the batch too
        Z = X.reshape(N, num_groups, -1).transpose(0, 1).reshape(1, num_groups, -1)
    else:
        Z = X.reshape(N, num_groups, -1)
    mean = Z.mean(dim=2, keepdim=True)
    var = Z.var(dim=2, keepdim=True, correction=correction)
    Z = (Z - mean) / (var.sqrt() + eps if outside else torch.sqrt(var + eps))
    if grouping == "strided":
        return Z.reshape(N, num_groups, C // num_groups, -1).transpose(1, 2).reshape(X.shape)
    if grouping == "batch":
        return Z.reshape(num_groups, N, -1).transpose(0, 1).reshape(X.shape)
    return Z.reshape(X.shape)


def _affine(case, X_hat):
    X, gamma, beta = case.args[:3]
    channel = (1, X.shape[1]) + (1,) * (X.dim() - 2)
    return gamma.double().reshape(channel) * X_hat + beta.double().reshape(channel)


def _matches(groups=None, **variant):
    """A diagnosis condition: the result is group_norm computed with this variant (`groups(C, G)`: another
    number of groups; the rest: _normalised's options)."""
    def when(expected, actual, case):
        X, num_groups, eps = case.args[0], case.args[3], case.kwargs.get("eps", 1e-5)
        count = groups(X.shape[1], num_groups) if groups else num_groups
        if count == num_groups and not variant:
            return False  # that would be the contract itself
        return close(actual, _affine(case, _normalised(X, count, eps, **variant)))
    return when


_unbiased = _matches(correction=1)
_eps_outside = _matches(outside=True)


def _affine_wrong(expected, actual, case) -> bool:
    """The normalisation is right and the scale and shift are not: at every channel and position, the result
    over the examples is some line a * X_hat + b (N >= 3 examples, so a line is a real constraint)."""
    X, num_groups, eps = case.args[0], case.args[3], case.kwargs.get("eps", 1e-5)
    if X.shape[0] < 3 or not isinstance(actual, torch.Tensor) or tuple(actual.shape) != tuple(X.shape):
        return False
    Y = actual.double().reshape(X.shape[0], -1)
    if not torch.isfinite(Y).all():
        return False
    if _unbiased(expected, actual, case) or _eps_outside(expected, actual, case):
        return False  # a wrong variance scales each group by about the same factor: that is no affine bug
    Z = _normalised(X, num_groups, eps).reshape(X.shape[0], -1)
    Zc, Yc = Z - Z.mean(0), Y - Y.mean(0)
    slope = (Zc * Yc).sum(0) / (Zc * Zc).sum(0)
    return bool(((Yc - slope * Zc).abs() <= 1e-4 * (1 + Y.abs())).all())


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py), most specific first.
#: The variance, eps, grouping and affine ones are limited to the property that names that line of the
#: contract, so that the failure shown first is that property's, with its diagnosis.
DIAGNOSES = (
    Diagnosis(when=_unbiased, properties=(BIASED,),
              hint="Y matches the unbiased variance, which divides by n - 1 (X.var() does unless you pass "
                   "correction=0): group normalisation uses the biased one, ((Xg - mean) ** 2).mean(...)"),
    Diagnosis(when=_eps_outside, properties=(EPS,),
              hint="Y matches (X - mean) / (sqrt(var) + eps): eps belongs inside the square root, "
                   "(X - mean) / torch.sqrt(var + eps)"),
    Diagnosis(when=_matches(grouping="strided"), properties=(CONSECUTIVE,),
              hint="Y matches groups of every num_groups-th channel (channels g, g + G, g + 2G, ...): "
                   "X.reshape(N, C // G, G, ...) splits the channel axis the other way round. Group g holds the "
                   "consecutive channels g * C // G .. (g + 1) * C // G - 1: X.reshape(N, G, -1)"),
    Diagnosis(when=_matches(groups=lambda C, G: C // G), properties=(CONSECUTIVE,),
              hint="Y matches C // num_groups groups of num_groups channels each: num_groups is the number of "
                   "groups, so each holds C // num_groups channels: X.reshape(N, num_groups, -1)"),
    Diagnosis(when=_matches(groups=lambda C, G: 1),
              hint="Y matches layer normalisation (one group of all C channels): split the channels into "
                   "num_groups groups and normalise each on its own: X.reshape(N, num_groups, -1)"),
    Diagnosis(when=_matches(groups=lambda C, G: C),
              hint="Y matches instance normalisation (every channel on its own): a group holds "
                   "C // num_groups consecutive channels, normalised together: X.reshape(N, num_groups, -1)"),
    Diagnosis(when=_matches(grouping="batch"),
              hint="Y matches statistics taken over the batch too: group normalisation normalises each example "
                   "on its own, never across examples: the mean over dim 2 of X.reshape(N, num_groups, -1)"),
    Diagnosis(when=_affine_wrong, properties=(AFFINE,),
              hint="The normalisation is right; the scale and shift are not: gamma[c] and beta[c] belong to "
                   "channel c (not to a group, not to the last axis). Reshape X_hat back to X's shape, then "
                   "gamma.reshape((1, C) + (1,) * (X.dim() - 2)) * X_hat + beta.reshape(...)"),
    Diagnosis(error=BROADCAST_ERROR,
              hint="Two shapes do not broadcast: gamma and beta (C,) must be reshaped to (1, C, 1, ...) to "
                   "line up with the channel axis, and a mean or variance needs keepdim=True to broadcast "
                   "against the group it came from"),
    Diagnosis(error=r"values to unpack|shape '\[.*\]' is invalid for input of size",
              properties=(SPATIAL,),
              hint="X may have no, one, two or three spatial dimensions: do not unpack N, C, H, W = X.shape; "
                   "reshape with -1 (X.reshape(N, num_groups, -1)) and back with X.shape"),
)


def _spread(gen, shape, dtype):
    """X whose (example, channel) slices each get their own scale (0.5 to 2.5) and offset."""
    stat = tuple(shape[:2]) + (1,) * (len(shape) - 2)
    z = torch.randn(shape, generator=gen, dtype=dtype)
    return z * (torch.rand(stat, generator=gen, dtype=dtype) * 2 + 0.5) + torch.randn(stat, generator=gen,
                                                                                      dtype=dtype) * 2


def _case(prop, gen, shape, num_groups, eps=None, dtype=torch.float32, scale=1.0):
    X = _spread(gen, shape, dtype) * scale
    gamma = torch.randn(shape[1], generator=gen, dtype=dtype)
    beta = torch.randn(shape[1], generator=gen, dtype=dtype)
    kwargs = {} if eps is None else {"eps": eps}
    label = f"group_norm(X, gamma, beta, {num_groups}" + ("" if eps is None else f", eps={eps:g}") + ")"
    return Case(property=prop, function="group_norm", args=(X, gamma, beta, num_groups), kwargs=kwargs,
                names=NAMES, label=label, grad=((0,), (1,), (2,)),
                grad_outputs=[torch.randn(shape, generator=gen, dtype=dtype)], hint=HINTS[prop])


def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    return [
        # Images (N, C, H, W), 1 < num_groups < C, and C // num_groups != num_groups.
        _case(VALUES, gen, (3, 6, 2, 2), 2, eps=1e-5),
        _case(VALUES, gen, (3, 6, 2, 3), 3),
        _case(VALUES, gen, (3, 8, 3, 2), 2, eps=1e-5),
        _case(VALUES, gen, (4, 12, 3, 3), 4),
        # Consecutive channels: square groupings (C = G * G) too, where the group size equals the count.
        _case(CONSECUTIVE, gen, (3, 4, 2, 2), 2, eps=1e-5),
        _case(CONSECUTIVE, gen, (3, 6, 1, 3), 2),
        _case(CONSECUTIVE, gen, (3, 9, 2, 2), 3),
        _case(CONSECUTIVE, gen, (3, 8, 2, 3), 4, eps=1e-5),
        # The two ends: one group (layer norm over C, H, W), one channel per group (instance norm).
        _case(LAYER, gen, (3, 3, 2, 2), 1, eps=1e-5),
        _case(LAYER, gen, (3, 4, 3, 2), 1),
        _case(INSTANCE, gen, (3, 3, 2, 2), 3, eps=1e-5),
        _case(INSTANCE, gen, (3, 4, 2, 3), 4),
        # No, one and three spatial dimensions (two are everywhere else).
        _case(SPATIAL, gen, (3, 6), 2, eps=1e-5),
        _case(SPATIAL, gen, (3, 6, 4), 3, eps=1e-5),
        _case(SPATIAL, gen, (3, 4, 5), 1),
        _case(SPATIAL, gen, (3, 4, 2, 2, 3), 2, eps=1e-5),
        _case(SPATIAL, gen, (3, 6, 2, 3, 2), 6),
        _case(SPATIAL, gen, (4, 8, 3, 2, 4), 4, dtype=f64),
        # Per channel: the last axis as long as C, where a (C,) gamma broadcasts there without an error.
        _case(AFFINE, gen, (3, 4, 2, 4), 2, eps=1e-5),
        _case(AFFINE, gen, (3, 6, 2, 6), 3),
        _case(AFFINE, gen, (3, 4, 3, 4), 4),
        # Biased variance: two elements per group, where n - 1 instead of n is far off.
        _case(BIASED, gen, (3, 4, 1, 2), 4, eps=1e-5),
        _case(BIASED, gen, (3, 4, 1, 1), 2, eps=1e-5),
        _case(BIASED, gen, (3, 6, 1, 2), 3),
        # eps: the default where the variance is about 1e-5 (so eps counts), then large ones that must be used.
        _case(EPS, gen, (3, 4, 2, 2), 2, scale=3e-3),
        _case(EPS, gen, (3, 6, 2, 2), 3, eps=0.5),
        _case(EPS, gen, (3, 4, 3, 2), 4, eps=2.0),
        # float64, with the default eps on small variances too.
        _case(FLOAT64, gen, (3, 6, 2, 3), 2, dtype=f64),
        _case(FLOAT64, gen, (3, 8, 3, 3), 4, dtype=f64, scale=3e-3),
        _case(FLOAT64, gen, (3, 4, 2, 2), 1, dtype=f64),
    ]
