"""squared_loss subtracts y without reshaping it: an (n,) y broadcasts to an (n, n) matrix.

expect: fail shape, training loop
"""

import torch


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
