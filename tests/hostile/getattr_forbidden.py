"""Attack: calls the forbidden routine behind getattr with a name built at run time, so the static
check cannot see it.

expect: fail forbidden routine
policy: refused
"""
import torch

_name = "soft" + "max"


def softmax(X, dim=-1):
    return getattr(torch, _name)(X, dim)
