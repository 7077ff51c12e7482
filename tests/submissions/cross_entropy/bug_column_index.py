"""BUG: indexes with y_hat[:, y], which takes the columns y of every row: an (n, n) matrix.

expect: fail shape
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[:, y])


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).sum())
