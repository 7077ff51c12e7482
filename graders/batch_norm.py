"""Grader for batch_norm (D2L 8.5): training on 2-D and 4-D input, the book's moving statistics and
momentum convention, biased variance, eps, evaluation mode, float64, no mutation and gradients.

X, gamma and beta are passed positionally, so gradient paths point into `args`: (0,) is X, (1,)
gamma, (2,) beta; eps, momentum and training go by keyword (one case relies on the defaults).
The result is (Y, new_moving_mean, new_moving_var). Each case routes a mismatch of Y and a mismatch
of the moving statistics to the property that output tests (a case of the eps property tests Y;
its moving statistics are checked as "moving statistics"), so that a learner sees which part is
wrong, not only which input showed it.
"""

from __future__ import annotations

import dataclasses

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close, missing_keepdim
from d2lcoach.grading.engine import compare_output, describe_call

NAMES = ("X", "gamma", "beta", "moving_mean", "moving_var")

TRAIN_2D = "training on 2-D input"
TRAIN_4D = "training on 4-D input (per channel)"
MOVING = "moving statistics"
MOMENTUM = "momentum convention"
BIASED = "biased variance"
EPS = "eps"
EVAL = "evaluation mode"
FLOAT64 = "float64"

HINTS = {
    TRAIN_2D: "D2L 8.5: for 2-D X (batch, features) take the mean and the variance of each feature over the "
              "batch, dim 0 (keepdim=True keeps them (1, features) like gamma), then "
              "Y = gamma * (X - mean) / sqrt(var + eps) + beta.",
    TRAIN_4D: "D2L 8.5: for 4-D X (batch, channels, H, W) the statistics are per channel, over the batch, "
              "height and width: X.mean(dim=(0, 2, 3), keepdim=True), shaped (1, C, 1, 1) like gamma. Not per "
              "(C, H, W) position (dim 0 only) and not per example.",
    MOVING: "The new moving statistics are momentum * old + (1 - momentum) * batch_statistic, with the batch's "
            "mean and its biased variance, each shaped like moving_mean / moving_var. They are returned "
            "as the result's [1] and [2].",
    MOMENTUM: "The book's convention: new = momentum * old + (1 - momentum) * batch_statistic, so momentum=0.9 "
              "keeps 90% of the old value. nn.BatchNorm2d (and the English 1.0 edition, with momentum=0.1) "
              "weight them the other way round. Use the momentum you are given, not a constant.",
    BIASED: "The variance divides by n, not n - 1: ((X - mean) ** 2).mean(...). X.var() is the unbiased "
            "one unless you pass correction=0 (unbiased=False). The difference shows on small batches.",
    EPS: "eps goes inside the square root and is the one you are given: (X - mean) / torch.sqrt(var + eps). "
         "Without it a feature with zero variance gives 0 / 0; sqrt(var) + eps is a different function.",
    EVAL: "training=False: normalise with moving_mean and moving_var (not the batch's statistics): "
          "Y = gamma * (X - moving_mean) / sqrt(moving_var + eps) + beta, and return moving_mean and "
          "moving_var unchanged, not updated.",
    FLOAT64: "float64 input is checked at float64 precision (about 1e-9): compute in X's dtype, with no .float() "
             "on the way and no torch.tensor(...) / torch.zeros(...) in their float32 default.",
}

def _with_unbiased_variance(expected, actual, case) -> bool:
    """Y is the book's formula computed with X.var()'s unbiased variance (dividing by n - 1)."""
    X, gamma, beta = case.args[:3]
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    var = X.var(dim=dims, keepdim=True)
    Y = gamma * (X - X.mean(dim=dims, keepdim=True)) / torch.sqrt(var + case.kwargs.get("eps", 1e-5)) + beta
    return close(actual[0], Y)


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    missing_keepdim("X.mean(dim=(0, 2, 3)) without keepdim=True is shaped (C,), which broadcasts against the "
                    "last axis of X, not the channels: keep the dimensions (keepdim=True) so the statistics "
                    "are (1, C, 1, 1), like gamma"),
    Diagnosis(when=_with_unbiased_variance, properties=(BIASED,),
              hint="Y matches the unbiased variance, which divides by n - 1 (X.var() does unless you pass "
                   "correction=0): batch normalisation uses the biased one, ((X - mean) ** 2).mean(...)"),
)

WHERE = ("Y (the result's [0])", "new_moving_mean (the result's [1])", "new_moving_var (the result's [2])")


def _routed(y_property: str, stats_property: str):
    """Compare Y under one property and the two moving statistics under another."""

    def compare(expected, actual, case, device):
        if not isinstance(actual, (tuple, list)) or len(actual) != 3:
            found = compare_output(expected, actual, case, device)
            if device == "meta":
                return found
            # Nothing could be compared: the properties this case tests are not met either.
            reason = (f"{describe_call(case)}: not compared, because the result is not the tuple "
                      "(Y, new_moving_mean, new_moving_var)")
            return found + [(prop, reason) for prop in dict.fromkeys((y_property, stats_property))]
        found = []
        for i, (want, got) in enumerate(zip(expected, actual)):
            prop = y_property if i == 0 else stats_property
            hint = HINTS[prop]
            if prop == FLOAT64:
                hint += " " + HINTS[EVAL if case.kwargs.get("training") is False else _train_prop(want.shape)
                                     if i == 0 else MOVING]
            sub = dataclasses.replace(case, property=prop, hint=hint)
            found += compare_output(want, got, sub, device, WHERE[i])
        return found

    return compare


def _stats_shape(shape):
    return (1, shape[1]) if len(shape) == 2 else (1, shape[1], 1, 1)


def _inputs(gen, shape, dtype=torch.float32):
    """X with its own spread and offset per feature/channel, and moving statistics far from the batch's."""
    s = _stats_shape(shape)
    scale = torch.rand(s, generator=gen, dtype=dtype) * 2 + 0.5
    offset = torch.randn(s, generator=gen, dtype=dtype) * 2
    z = torch.randn(shape, generator=gen, dtype=dtype)
    dims = (0,) if len(shape) == 2 else (0, 2, 3)
    if z[:, 0].numel() > 1:
        # Standardise the noise per feature/channel, so that the batch's spread is `scale`: a batch whose
        # few values happen to nearly coincide would make float32 rounding, not the formula, decide.
        z = z - z.mean(dim=dims, keepdim=True)
        z = z / z.pow(2).mean(dim=dims, keepdim=True).sqrt()
    X = z * scale + offset
    gamma = torch.randn(s, generator=gen, dtype=dtype)
    beta = torch.randn(s, generator=gen, dtype=dtype)
    moving_mean = torch.randn(s, generator=gen, dtype=dtype) * 2
    moving_var = torch.rand(s, generator=gen, dtype=dtype) * 3 + 0.5
    return X, gamma, beta, moving_mean, moving_var


def _case(prop, tensors, gen, *, y_prop=None, stats_prop=None, eps=None, momentum=None, training=None):
    kwargs = {}
    shown = []
    if eps is not None:
        kwargs["eps"] = eps
        shown.append(f"eps={eps:g}")
    if momentum is not None:
        kwargs["momentum"] = momentum
        shown.append(f"momentum={momentum:g}")
    if training is not None:
        kwargs["training"] = training
        shown.append(f"training={training}")
    label = "batch_norm(X, gamma, beta, moving_mean, moving_var" + "".join(", " + s for s in shown) + ")"
    X = tensors[0]
    y_prop = y_prop or prop
    stats_prop = stats_prop or prop
    return Case(property=prop, args=tuple(tensors), kwargs=kwargs, names=NAMES, label=label,
                grad=((0,), (1,), (2,)),
                grad_outputs=[torch.randn(X.shape, generator=gen, dtype=X.dtype), None, None],
                compare=_routed(y_prop, stats_prop), hint=HINTS[prop],
                checks=tuple(dict.fromkeys(c for c in (y_prop, stats_prop, "shape", "dtype") if c != prop)))


def _train_prop(shape):
    return TRAIN_2D if len(shape) == 2 else TRAIN_4D


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # Training on 2-D input: Y per feature over the batch; the moving statistics with momentum=0.9.
    for shape in ((4, 3), (8, 5), (16, 6)):
        cases.append(_case(TRAIN_2D, _inputs(gen, shape), gen, stats_prop=MOVING, eps=1e-5, momentum=0.9,
                           training=True))
    # Training on 4-D input: per channel over (0, 2, 3). (2, 3, 2, 3) has W == C, where a mean without
    # keepdim broadcasts along W without an error.
    for shape in ((2, 3, 2, 2), (2, 3, 2, 3), (4, 2, 3, 5), (3, 4, 5, 4)):
        cases.append(_case(TRAIN_4D, _inputs(gen, shape), gen, stats_prop=MOVING, eps=1e-5, momentum=0.9,
                           training=True))
    # The moving statistics, with every optional argument left at its default (eps=1e-5, momentum=0.9,
    # training=True).
    for shape in ((5, 3), (2, 3, 2, 2)):
        cases.append(_case(MOVING, _inputs(gen, shape), gen, y_prop=_train_prop(shape)))
    # The book's momentum convention, for momentum values other than 0.9 too (0.0: the batch's statistics).
    for shape, momentum in (((4, 3), 0.75), ((6, 2, 2, 2), 0.3), ((5, 4), 0.0), ((3, 3, 2, 2), 0.99)):
        cases.append(_case(MOMENTUM, _inputs(gen, shape), gen, y_prop=_train_prop(shape), eps=1e-5,
                           momentum=momentum, training=True))
    # Biased variance: three values per feature/channel, where n - 1 instead of n is off by a factor 1.5.
    # (Not two: with n = 2, Y is +-gamma + beta whatever X is, and the gradient to X is rounding noise.)
    for shape in ((3, 3), (1, 2, 1, 3), (3, 2, 1, 1)):
        cases.append(_case(BIASED, _inputs(gen, shape), gen, eps=1e-5, momentum=0.9, training=True))
    # eps: a constant feature (variance 0: without eps, 0 / 0), a feature with variance ~1e-6 (eps
    # outside the square root is far off), and a large eps that must be the one given.
    X, gamma, beta, mm, mv = _inputs(gen, (4, 3))
    X = torch.stack([torch.full((4,), 0.5), torch.randn(4, generator=gen) * 1e-3,
                     torch.randn(4, generator=gen)], dim=1)
    cases.append(_case(EPS, (X, gamma, beta, mm, mv), gen, stats_prop=MOVING, eps=1e-5, momentum=0.9,
                       training=True))
    cases.append(_case(EPS, _inputs(gen, (3, 2, 2, 2)), gen, stats_prop=MOVING, eps=0.5, momentum=0.9,
                       training=True))
    cases.append(_case(EPS, _inputs(gen, (5, 3)), gen, stats_prop=MOVING, eps=2.0, momentum=0.9, training=True))
    # Evaluation mode: the moving statistics normalise, and come back unchanged. A batch of one example
    # has variance 0, so the batch's statistics cannot stand in for the moving ones.
    cases.append(_case(EVAL, _inputs(gen, (1, 3)), gen, eps=1e-5, momentum=0.9, training=False))
    cases.append(_case(EVAL, _inputs(gen, (4, 3)), gen, eps=1e-5, momentum=0.9, training=False))
    cases.append(_case(EVAL, _inputs(gen, (2, 3, 2, 2)), gen, eps=0.1, momentum=0.75, training=False))
    cases.append(_case(EVAL, _inputs(gen, (3, 2, 3, 2)), gen, eps=1e-5, momentum=0.9, training=False))
    # float64 in, float64 out, in both modes.
    f64 = torch.float64
    cases.append(_case(FLOAT64, _inputs(gen, (6, 4), f64), gen, eps=1e-5, momentum=0.9, training=True))
    cases.append(_case(FLOAT64, _inputs(gen, (3, 2, 3, 3), f64), gen, eps=1e-5, momentum=0.8, training=True))
    cases.append(_case(FLOAT64, _inputs(gen, (2, 3, 2, 2), f64), gen, eps=1e-5, momentum=0.9, training=False))
    # ... and with eps, momentum and training at their defaults, where float64 shows eps = 1e-5 itself.
    cases.append(_case(FLOAT64, _inputs(gen, (5, 3), f64), gen))
    return cases
