"""BUG: multiplies a one-hot matrix by log(y_hat) and sums over the classes.

Right for strictly positive probabilities, but a zero probability in any other class gives 0 * log(0) = nan.
expect: fail zero probabilities in other classes
"""
import torch


def cross_entropy(y_hat, y):
    one_hot = torch.zeros_like(y_hat)
    one_hot[range(len(y_hat)), y] = 1
    return -(one_hot * torch.log(y_hat)).sum(dim=1)


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).sum())
