"""linreg casts to float32 (a float64 X must stay float64).

expect: fail dtype
"""

import torch


def linreg(X, w, b):
    return (X.float() @ w.float() + b.float())


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
