"""Attack: os._exit(0) while loading: the child exits 0 without ever sending an answer.

expect: error exited
policy: refused
"""
import torch

torch.os._exit(0)


def softmax(X, dim=-1):
    return X
