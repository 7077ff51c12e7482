"""Attack (recorder off): pops every torch-function and dispatch mode off the stacks, runs the
routine, and pushes them back in order, so the recorders are in place again when checked.

expect: fail forbidden routine
policy: refused
"""
import torch

_dispatch = torch.utils._python_dispatch
_routine = getattr(torch, "soft" + "max")


def softmax(X, dim=-1):
    functions = [torch._C._pop_torch_function_stack() for _ in range(torch._C._len_torch_function_stack())]
    modes = [_dispatch._pop_mode() for _ in range(len(_dispatch._get_current_dispatch_mode_stack()))]
    try:
        out = _routine(X, dim)
        print("BREACH: the routine ran with the stacks emptied")
    finally:
        for mode in reversed(modes):
            _dispatch._push_mode(mode)
        for mode in reversed(functions):
            torch._C._push_on_torch_function_stack(mode)
    return out
