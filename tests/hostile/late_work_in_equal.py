"""Attack (after the recording window): returns an empty tensor and fills it in later, inside a
replaced torch.equal that the harness calls for its mutation check, after the recorders are gone.

expect: fail forbidden routine
policy: refused
"""
import torch

_routine = getattr(torch, "soft" + "max")
_real_equal = torch.equal
_pending = []


def _equal(a, b):
    while _pending:
        out, X, dim = _pending.pop()
        try:
            out.copy_(_routine(X, dim))
            print("BREACH: the routine filled the answer after the recording window")
        except RuntimeError:
            pass
    return _real_equal(a, b)


torch.equal = _equal


def softmax(X, dim=-1):
    out = torch.empty_like(X)
    _pending.append((out, X.detach(), dim))
    return out
