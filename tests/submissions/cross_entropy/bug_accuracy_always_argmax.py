"""BUG: accuracy always takes the argmax, also of a 1-D y_hat that already holds predicted labels.

expect: fail accuracy (predicted labels)
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    preds = y_hat.argmax(dim=-1)
    return float((preds.type(y.dtype) == y).sum())
