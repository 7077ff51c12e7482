"""linreg forgets the bias.

expect: fail linreg, training loop
"""

import torch


def linreg(X, w, b):
    return torch.matmul(X, w)


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
