"""OK: take_along_dim for the loss; the count from torch.where over a boolean match, summed in float64.

expect: pass
"""
import torch


def cross_entropy(y_hat, y):
    picked = torch.take_along_dim(y_hat, y[:, None], dim=1)[:, 0]
    return torch.log(1 / picked)


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = torch.argmax(y_hat, 1)
    hits = torch.where(y_hat.to(y.dtype) == y, 1.0, 0.0).to(torch.float64)
    return hits.sum().item()
