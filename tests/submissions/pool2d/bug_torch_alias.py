"""BUG (cheating): calls the library's pooling through the torch namespace instead of F.

expect: fail forbidden routine
"""
import torch


def pool2d(X, pool_size, stride=None, padding=0, mode="max"):
    stride = pool_size if stride is None else stride
    if mode == "max":
        return torch.max_pool2d(X, pool_size, stride, padding)
    return torch.nn.functional.avg_pool2d(X, pool_size, stride, padding)
