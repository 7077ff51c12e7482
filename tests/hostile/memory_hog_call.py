"""Attack: allocates and fills a 20 GB tensor in the graded call.

expect: fail values
"""
import torch


def softmax(X, dim=-1):
    hog = torch.empty(20 * 1024 ** 3, dtype=torch.uint8)
    hog.fill_(1)
    return X + hog[:1].to(X.dtype)
