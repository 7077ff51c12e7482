"""Inputs that graders build alike: (h, w) pairs, small-integer and normal tensors, and the case of a
layer called as f(X, weight, bias, stride, padding) (conv2d, trans_conv).

Part of the grading kit that graders import; every helper draws from the case's generator, so a seed
gives the same cases whichever grader asks.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case

LAYER_ARGUMENTS = ("X", "weight", "bias")


def pair(v) -> tuple:
    """An int or an (h, w) pair as an (h, w) pair: pair(2) == (2, 2)."""
    return (v, v) if isinstance(v, int) else tuple(v)


def small_ints(gen: torch.Generator, *shape: int, dtype=torch.float32) -> torch.Tensor:
    """Small integers (-3 to 3) as floats: exact sums in float32, and easy to read in a counterexample."""
    return torch.randint(-3, 4, shape, generator=gen).to(dtype)


def randn(gen: torch.Generator, *shape: int, dtype=torch.float32) -> torch.Tensor:
    return torch.randn(shape, generator=gen, dtype=dtype)


def layer_case(function: str, prop: str, gen: torch.Generator, X, weight, bias, stride, padding, *,
               out_shape: tuple, tolerance: dict, hint: str) -> Case:
    """A case of `function(X, weight, bias, stride, padding)`, all five passed positionally, so gradient
    paths point into `args`: (0,) is X, (1,) is weight, (2,) is bias (checked only when there is one).
    The upstream gradient is drawn from `gen` in `out_shape`, the output's shape."""
    label = (f"{function}(X, weight, " + ("bias" if bias is not None else "None")
             + f", stride={stride}, padding={padding})")
    grad = ((0,), (1,)) + (((2,),) if bias is not None else ())
    return Case(property=prop, args=(X, weight, bias, stride, padding), names=LAYER_ARGUMENTS, label=label,
                grad=grad, grad_outputs=[torch.randn(out_shape, generator=gen, dtype=X.dtype)],
                tolerance=tolerance, hint=hint)
