"""Grader for factorization_machine (D2L 21.9): the score w0 + Xw + pairwise term on multi-hot and
real-valued features, each pair once and no self-interaction, rows independent, the (B,) shape,
float64 and gradients to every input."""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis

NAMES = ("X", "w0", "w", "V")
#: A score is a sum of about n * k products; float32 rounding depends on its order (a few 1e-6 relative).
TOLERANCE = {torch.float32: (1e-4, 1e-4)}

HINTS = {
    "values": "score = w0 + X @ w + 0.5 * ((X @ V) ** 2 - (X ** 2) @ (V ** 2)).sum(dim=1): the global bias, "
              "the linear term and the pairwise term of D2L 21.9",
    "pairs i < j only": "the pairwise term counts each pair i < j once: 0.5 * (square of the sum - sum of the "
                        "squares). Without the 0.5 every pair counts twice; without the sum of squares every "
                        "feature also interacts with itself",
    "real-valued features": "square the features in the second sum, sum_i V[i, f]**2 * X[:, i]**2: with 0/1 "
                            "features X**2 == X, so a missing square only shows on real values",
    "float64": "keep the inputs' dtype: no .float() and no new float32 tensors",
}

DIAGNOSES = (
    # off by exactly the self-interactions: the square of the sum without the sum of the squares subtracted
    Diagnosis(hint="yours adds each feature's interaction with itself, 0.5 * sum_i |V[i]|**2 * X[:, i]**2: subtract "
                   "the sum of the squares, 0.5 * ((X @ V) ** 2 - (X ** 2) @ (V ** 2)).sum(dim=1), so that each "
                   "pair i < j counts once and no feature pairs with itself",
              when=lambda expected, actual, case: torch.allclose(
                  actual.double() - expected.double(),
                  0.5 * ((case.args[0].double() ** 2) @ (case.args[3].double() ** 2)).sum(1), rtol=1e-3, atol=1e-4)),
)


def _randn(gen, *shape, dtype=torch.float32):
    return torch.randn(*shape, generator=gen, dtype=torch.float64).to(dtype)


def _multi_hot(gen, B, fields, dtype):
    """One 1 per field of `fields` sizes (the book's categorical features), as a (B, sum(fields)) 0/1 matrix."""
    columns = []
    for size in fields:
        picked = torch.randint(size, (B,), generator=gen)
        columns.append(torch.nn.functional.one_hot(picked, size))
    return torch.cat(columns, dim=1).to(dtype)


def _case(prop, gen, B, n, k, dtype=torch.float32, fields=None):
    X = _multi_hot(gen, B, fields, dtype) if fields else _randn(gen, B, n, dtype=dtype)
    n = X.shape[1]
    w0, w, V = _randn(gen, 1, dtype=dtype)[0], _randn(gen, n, dtype=dtype), _randn(gen, n, k, dtype=dtype) * 0.5
    return Case(property=prop, function="fm", args=(X, w0, w, V), names=NAMES,
                label=f"fm(X, w0, w, V) with B={B}, n={n}, k={k}", grad=((0,), (1,), (2,), (3,)),
                grad_outputs=[_randn(gen, B, dtype=dtype)], hint=HINTS[prop], tolerance=TOLERANCE)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        # the book's inputs: one-hot fields (here two fields of 2 and 3 values, then 4 fields)
        _case("values", gen, 1, None, 2, fields=(2, 3)),
        _case("values", gen, 4, None, 3, fields=(3, 2, 4, 2)),
        # two features, one factor: the whole pairwise term is v1 * v2 * x1 * x2, once
        _case("pairs i < j only", gen, 1, None, 1, fields=(1, 1)),
        _case("pairs i < j only", gen, 3, None, 4, fields=(2, 2, 3)),
        # real values: X**2 differs from X
        _case("real-valued features", gen, 1, 3, 2),
        _case("real-valued features", gen, 5, 7, 3),
        _case("float64", gen, 4, 6, 3, dtype=torch.float64),
        # a book-sized batch: 8 fields of up to 10 values, 10 factors
        _case("values", gen, 16, None, 10, fields=(10, 7, 3, 10, 5, 2, 9, 4)),
    ]
