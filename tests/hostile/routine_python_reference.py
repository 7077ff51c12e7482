"""Attack (code rules off): softmax from torch's own Python references and decompositions
(torch._refs.softmax, torch._refs.nn.functional.softmax, torch._decomp's _softmax), which compute
the routine from primitive operators (amax, sub, exp, sum, div): no softmax operator ever runs,
so neither the operator switch-off nor the recorders see the routine.

expect: fail forbidden routine
policy: refused
"""
import torch

_refs = getattr(torch, "_re" + "fs")
_decomp = getattr(getattr(torch, "_dec" + "omp"), "decompositions")
_routines = [lambda X, dim: getattr(_decomp, "_soft" + "max")(X, dim, False),
             getattr(_refs, "soft" + "max"), getattr(_refs.nn.functional, "soft" + "max")]


def softmax(X, dim=-1):
    for routine in _routines:
        try:
            out = routine(X, dim)
        except RuntimeError:
            continue
        print("BREACH: a Python reference computed the routine")
        return out
    shifted = X - X.max(dim, keepdim=True).values
    return shifted.exp() / shifted.exp().sum(dim, keepdim=True)
