"""Attack: os._exit(0) from inside the graded call, before any answer is sent.

expect: error exited
policy: refused
"""
import torch


def softmax(X, dim=-1):
    torch.os._exit(0)
