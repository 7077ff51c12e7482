"""BUG (cheating): reaches F.conv2d through getattr with a name assembled at run time, so no
static check of the source can see it; the operator recorder must catch it when it runs.

expect: fail forbidden routine
"""
import torch
import torch.nn.functional


def conv2d(X, weight, bias=None, stride=1, padding=0):
    routine = getattr(torch.nn.functional, "con" + "v" + str(2) + "d")
    return routine(X, weight, bias, stride, padding)
