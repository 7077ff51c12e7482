"""BUG (cheating): calls torch.softmax through getattr with a name built at run time, which no
static check of the source can see; the operator recorder must catch it when it runs.

expect: fail forbidden routine
"""
import torch


def softmax(X, dim=-1):
    name = "".join(["so", "ft", "max"])
    return getattr(torch, name)(X, dim)
