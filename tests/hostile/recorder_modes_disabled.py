"""Attack (recorder off): runs the routine with Python dispatch and torch-function handling
switched off (torch._C._DisableTorchDispatch and DisableTorchFunction), so no mode sees it.

expect: fail forbidden routine
policy: refused
"""
import torch

_routine = getattr(torch, "soft" + "max")


def softmax(X, dim=-1):
    with torch._C._DisableTorchDispatch(), torch._C.DisableTorchFunction():
        out = _routine(X, dim)
    print("BREACH: the routine ran with the modes switched off")
    return out
