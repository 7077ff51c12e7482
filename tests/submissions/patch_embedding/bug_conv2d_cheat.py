"""BUG (cheating): the book's own code path, a strided convolution, which the exercise forbids.

expect: fail forbidden routine
"""
import torch.nn.functional as F


def patch_embedding(X, weight, bias, patch_size):
    return F.conv2d(X, weight, bias, stride=patch_size).flatten(2).transpose(1, 2)
