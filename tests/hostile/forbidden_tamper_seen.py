"""Attack: calls the forbidden routine behind getattr, then reaches the grading harness's frame
through a traceback (no import needed) and clears the set of operators it recorded, so the
child reports a clean run.

expect: fail forbidden routine
policy: refused
"""
import torch

_name = "soft" + "max"


def _callers_locals():
    try:
        raise RuntimeError
    except RuntimeError as exc:
        frame = exc.__traceback__.tb_frame
    return frame.f_back.f_back.f_locals


def softmax(X, dim=-1):
    out = getattr(torch, _name)(X, dim)
    recorded = _callers_locals().get("seen")
    if isinstance(recorded, set):
        recorded.clear()
    return out
