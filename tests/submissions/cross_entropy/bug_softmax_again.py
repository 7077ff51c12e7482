"""BUG: treats y_hat as logits and applies a softmax before the log, as F.cross_entropy would.

y_hat already holds probabilities: the second softmax flattens them.
expect: fail values, float64
"""
import torch


def cross_entropy(y_hat, y):
    p = torch.exp(y_hat) / torch.exp(y_hat).sum(dim=1, keepdim=True)
    return -torch.log(p[range(len(p)), y])


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).sum())
