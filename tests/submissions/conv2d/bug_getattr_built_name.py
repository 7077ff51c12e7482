"""BUG (cheating): reaches F.conv2d through getattr with a name assembled at run time, so no
name check can see it; the code policy refuses getattr itself.

expect: fail code rules
"""
import torch
import torch.nn.functional


def conv2d(X, weight, bias=None, stride=1, padding=0):
    routine = getattr(torch.nn.functional, "con" + "v" + str(2) + "d")
    return routine(X, weight, bias, stride, padding)
