"""Attack: asks for 20 GB while loading (more than the machine has).

expect: error out of memory
"""
import torch

hog = bytearray(20 * 1024 ** 3)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
