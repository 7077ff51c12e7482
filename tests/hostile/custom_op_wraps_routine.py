"""Attack (recorder off): defines an operator of its own with torch.library whose CPU kernel
calls the routine; the recorder sees only the new operator's name, and while it handles that
operator its own mode is off. If the routine refuses, falls back to an honest softmax, so only the
evidence can fail it.

expect: fail forbidden routine
policy: refused
"""
import torch

_routine = getattr(torch, "soft" + "max")
_lib = torch.library.Library("__MARKER__", "DEF")
_lib.define("norm_exp(Tensor x, int dim) -> Tensor")


def _kernel(x, dim):
    try:
        out = _routine(x, dim)
    except RuntimeError:
        shifted = x - x.max(dim, keepdim=True).values
        return shifted.exp() / shifted.exp().sum(dim, keepdim=True)
    print("BREACH: the custom operator's kernel ran the routine")
    return out


_lib.impl("norm_exp", _kernel, "CPU")
_lib.impl("norm_exp", lambda x, dim: torch.empty_like(x), "Meta")
_op = getattr(torch.ops, "__MARKER__").norm_exp


def softmax(X, dim=-1):
    return _op(X, dim)
