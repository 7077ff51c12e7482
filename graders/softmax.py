"""Grader for softmax (D2L 4.4): values on any rank and dim, stability, dtype, gradients, no mutation."""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close, missing_keepdim

NAMES = ("X",)

STABILITY_HINT = ("subtract each slice's own maximum along `dim` (X.max(dim, keepdim=True).values) before "
                  "exp(); one global maximum still lets a slice such as (-5000, -5001, -5002) underflow")


def _is_log_softmax(expected, actual, case) -> bool:
    """The result is log(softmax): checked where the softmax has not underflowed to 0."""
    kept = expected > 1e-6
    return bool(kept.any()) and close(actual[kept], expected[kept].log())


def _not_finite(expected, actual, case) -> bool:
    """NaN or inf where the softmax is finite: exp() overflowed (inf / inf) or underflowed (0 / 0)."""
    return bool((~torch.isfinite(actual) & torch.isfinite(expected)).any())


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    missing_keepdim("X.sum(dim) and X.max(dim) drop the reduced dimension, so the division cannot broadcast "
                    "against X: keep it with keepdim=True, as D2L 4.4's X_exp.sum(1, keepdims=True) does"),
    Diagnosis(when=_is_log_softmax, hint="this is the logarithm of the softmax (a log-softmax, X - logsumexp(X)): "
              "softmax returns the probabilities themselves, exp(X - max) / sum(exp(X - max)) along `dim`"),
    Diagnosis(when=_not_finite, hint=STABILITY_HINT),
)


#: Logits of size ~1000 carry a float32 rounding error of ~1e-4 (the spacing of float32 numbers
#: near 1000 is 6e-5, near 5000 it is 5e-4), and exp turns that absolute error into a relative
#: one. A correct exp(X - logsumexp(X)) is off by up to a few 1e-4 there, and its gradient (a
#: difference of such terms) by ~1e-4 in absolute terms; an unstable softmax is off by nan, 0 or 1.
STABLE_TOLERANCE = {torch.float32: (1e-3, 1e-4)}


def _case(prop, X, dim, hint="", grad=True, gen=None, tolerance=None):
    kwargs = {} if dim is None else {"dim": dim}  # None: call without dim, to test its default (-1)
    grad_outputs = [torch.randn(X.shape, generator=gen, dtype=X.dtype)] if grad else None
    label = "softmax(X)" if dim is None else f"softmax(X, dim={dim})"
    return Case(property=prop, args=(X,), kwargs=kwargs, names=NAMES, label=label,
                grad=((0,),) if grad else (), grad_outputs=grad_outputs, hint=hint, tolerance=tolerance)


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # values: the book's case first (rows of a 2-D matrix), then random ranks and dims.
    cases.append(_case("values", torch.randn(2, 5, generator=gen), 1, gen=gen,
                       hint="exponentiate, then divide each slice along `dim` by its own sum: every slice "
                            "sums to 1 (D2L 4.4)"))
    cases.append(_case("values", torch.randn(4, 3, generator=gen), 0, gen=gen,
                       hint="normalise along the `dim` you were given, not always the last one"))
    for _ in range(3):
        rank = int(torch.randint(1, 5, (), generator=gen))
        shape = tuple(int(s) for s in torch.randint(1, 6, (rank,), generator=gen))
        dim = int(torch.randint(-rank, rank, (), generator=gen))
        cases.append(_case("any rank and dim", torch.randn(shape, generator=gen) * 3, dim, gen=gen,
                           hint="normalise along the `dim` you are given, for any rank; negative dims "
                                "count from the end"))
    cases.append(_case("any rank and dim", torch.randn(5, generator=gen), 0, gen=gen))
    cases.append(_case("any rank and dim", torch.randn(2, 3, 4, generator=gen), -2, gen=gen))
    # a rank-3 input normalised along dim 0: catches the book's hard-coded `sum(1, keepdim=True)`
    # whatever the random cases above drew.
    cases.append(_case("any rank and dim", torch.randn(2, 3, 4, generator=gen), 0, gen=gen))
    # numerical stability: each slice needs its own maximum.
    stability_hint = ("logits such as 1000 or -5000 must give finite, correct values: softmax(X) equals "
                      "softmax(X - c) for any constant c of a slice (D2L 4.4)")
    cases.append(_case("numerical stability", torch.tensor([[1000.0, 0.0, -1000.0]]), 1,
                       hint=stability_hint, gen=gen,
                       tolerance=STABLE_TOLERANCE))
    cases.append(_case("numerical stability", torch.tensor([[1000.0, 0.0, -1000.0],
                                                            [-5000.0, -5001.0, -5002.0]]), 1,
                       hint=stability_hint, gen=gen,
                       tolerance=STABLE_TOLERANCE))
    cases.append(_case("numerical stability", torch.tensor([[800.0, -5000.0], [799.0, -5001.0],
                                                            [0.0, -5002.0]]), 0, hint=stability_hint, gen=gen,
                       tolerance=STABLE_TOLERANCE))
    big = torch.randn(3, 4, generator=gen) * 400
    cases.append(_case("numerical stability", big, -1, hint=stability_hint, gen=gen,
                       tolerance=STABLE_TOLERANCE))
    # dtype: float64 in, float64 out.
    cases.append(_case("float64", torch.randn(3, 4, generator=gen, dtype=torch.float64), -1, gen=gen,
                       hint="keep the input's dtype: no .float() and no torch.tensor(..., dtype=torch.float32)"))
    cases.append(_case("float64", torch.tensor([[1000.0, 0.0, -1000.0]], dtype=torch.float64), 1, gen=gen,
                       hint="keep the input's dtype, and stay stable in float64 too"))
    # (Drawn last, so that the random cases above stay those of earlier versions for a given seed.)
    # Square slices, where a sum without keepdim broadcasts (along the wrong axis) instead of raising.
    cases.append(_case("values", torch.randn(3, 3, generator=gen), 1, gen=gen))
    cases.append(_case("any rank and dim", torch.randn(4, 4, 4, generator=gen), 1, gen=gen))
    # dim left at its default, -1: a rank-3 input, where dims 0, 1, -2 and -1 all differ.
    cases.append(_case("any rank and dim", torch.randn(2, 3, 4, generator=gen), None, gen=gen))
    cases.append(_case("any rank and dim", torch.randn(3, 3, 3, generator=gen), None, gen=gen))
    return cases
