"""BUG: computes the loss in NumPy and converts back: right values, but no gradient reaches y_hat.

expect: fail gradients
"""
import numpy as np
import torch


def cross_entropy(y_hat, y):
    p = y_hat.detach().cpu().numpy()[np.arange(len(y_hat)), y.cpu().numpy()]
    return torch.from_numpy(-np.log(p)).to(y_hat.device)


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).sum())
