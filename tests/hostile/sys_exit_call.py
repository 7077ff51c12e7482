"""Attack: raises SystemExit(0) from inside the graded call.

expect: fail values
"""
import torch


def softmax(X, dim=-1):
    raise SystemExit(0)
