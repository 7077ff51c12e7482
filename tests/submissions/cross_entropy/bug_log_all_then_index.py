"""BUG: takes the log of the whole matrix and then picks the true classes.

The values are right, but log(0) in a class that is never picked sends 0 / 0 = nan back as its gradient.
expect: fail gradients
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat)[range(len(y_hat)), y]


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).sum())
