"""BUG (cheating): calls torch.softmax through getattr with a name built at run time. No name
check can read it, so the code policy refuses getattr itself (the hostile suite proves that,
without the policy, the switched-off kernel and the operator recorder still catch it).

expect: fail code rules
"""
import torch


def softmax(X, dim=-1):
    name = "".join(["so", "ft", "max"])
    return getattr(torch, name)(X, dim)
