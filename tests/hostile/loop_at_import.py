"""Attack: an endless loop while the module loads, so the grader waits forever.

expect: error timed out
"""
import torch

while True:
    pass


def softmax(X, dim=-1):
    return torch.zeros_like(X)
