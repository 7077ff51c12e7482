"""BUG: accuracy takes the argmax over dim 0 (per class, over the examples) instead of per row.

expect: fail accuracy (scores per class)
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=0)
    return float((y_hat.type(y.dtype) == y).sum())
