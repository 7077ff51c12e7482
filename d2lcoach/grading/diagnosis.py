"""Conditional hints: a grader declares what a failure must look like for a hint to apply.

A `Diagnosis` is shown only when its condition is met by the observed failure: an exception whose
text matches `error`, or a value failure for which `when(expected, actual, case)` is true. A
failure that a diagnosis explains is shown first (see `d2lcoach/grading/scoring.py`), with the
diagnosis's hint in place of the case's general one. Graders list theirs in a module-level
`DIAGNOSES` tuple; the patterns below serve every exercise.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable

import torch

from d2lcoach.sandbox.runtime.wire import SentTensor

#: The broadcasting error of an elementwise operation between a tensor and a reduction of it that
#: lost its reduced dimension (X / X.sum(dim) with X of shape (2, 5): sizes 5 and 2 at dimension 1).
BROADCAST_ERROR = r"size of tensor a \(\d+\) must match the size of tensor b \(\d+\) at non-singleton dimension"


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    """A hint and the condition under which it is true.

    error: a regular expression searched in "Type: message" of an exception the call raised.
    when: (expected, actual, case) -> bool, on a value failure (real devices; tensors unwrapped).
    properties: only failures of these properties are examined (empty: every property).
    """

    hint: str
    error: str | None = None
    when: Callable[[Any, Any, Any], bool] | None = None
    properties: tuple[str, ...] = ()

    def applies(self, prop: str, error_text: str | None, expected: Any, actual: Any, case: Any) -> bool:
        if self.properties and prop not in self.properties:
            return False
        if error_text is not None:
            return self.error is not None and re.search(self.error, error_text) is not None
        if self.when is None or actual is None:
            return False
        try:
            return bool(self.when(expected, unwrap(actual), case))
        except Exception:  # noqa: BLE001 - a condition that cannot be evaluated is not met
            return False


#: Lazy layers (the newer English edition builds its layers with nn.LazyLinear, nn.LazyConv2d, ...) have
#: no weights until their first call, so the reference's weights cannot be loaded into them.
LAZY_LAYERS = Diagnosis(
    error=r"uninitialized parameter",
    hint="A lazy layer (nn.LazyLinear, nn.LazyConv2d, nn.LazyBatchNorm2d, ...) has no weights until its first "
         "call, so the grader cannot load the reference's weights into it. Build each layer with its sizes "
         "(nn.Linear(n_in, n_out), ...), as the contract's \"Editions\" line at the top of the exercise says")

#: Diagnoses that serve every exercise, examined after the grader's own.
COMMON = (LAZY_LAYERS,)


def missing_keepdim(hint: str, properties: tuple[str, ...] = ()) -> Diagnosis:
    """The usual exception of a reduction without keepdim=True, with the exercise's own words."""
    return Diagnosis(hint=hint, error=BROADCAST_ERROR, properties=properties)


def unwrap(x):
    """The child's result with its tensors as plain torch.Tensors (SentTensor -> .tensor)."""
    if isinstance(x, SentTensor):
        return x.tensor
    if isinstance(x, (tuple, list)):
        return type(x)(unwrap(v) for v in x)
    return x


def close(actual, target, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Whether `actual` is a tensor of `target`'s shape equal to it within tolerance (NaN never is)."""
    return (isinstance(actual, torch.Tensor) and tuple(actual.shape) == tuple(target.shape)
            and bool(torch.isclose(actual.to(torch.float64), target.to(torch.float64), rtol=rtol, atol=atol).all()))


def first_match(diagnoses, prop: str, error_text: str | None, expected, actual, case) -> Diagnosis | None:
    return next((d for d in diagnoses if d.applies(prop, error_text, expected, actual, case)), None)
