"""BUG: accuracy takes each example's prediction in a loop over the classes (y_hat.shape[1]) instead of
the examples: with more classes than examples it indexes past the last row (IndexError), and with
fewer it counts only the first rows.

expect: fail accuracy (scores per class)
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        preds = torch.stack([y_hat[i].argmax() for i in range(y_hat.shape[1])])
        return float((preds.type(y.dtype) == y[:len(preds)]).sum())
    return float((y_hat.type(y.dtype) == y).sum())
