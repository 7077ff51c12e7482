"""Attack: loads fine, then never returns from the graded call.

expect: error timed out
"""
import torch


def softmax(X, dim=-1):
    n = 0
    while True:
        n += 1
    return X
