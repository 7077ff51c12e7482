"""OK: a Python loop over the examples for both functions, stacking the picked log-probabilities.

expect: pass
"""
import torch


def cross_entropy(y_hat, y):
    losses = [-torch.log(y_hat[i, int(y[i])]) for i in range(y_hat.shape[0])]
    return torch.stack(losses)


def accuracy(y_hat, y):
    count = 0
    for i in range(len(y)):
        row = y_hat[i]
        pred = int(row.argmax()) if row.dim() == 1 and row.numel() > 1 else int(row)
        count += pred == int(y[i])
    return float(count)
