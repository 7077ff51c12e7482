"""sgd rebinds the loop variable: the caller's tensors never change.

expect: fail sgd, training loop
"""

import torch


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    for param in params:
        grad = param.grad
        param = param.detach() - lr * grad / batch_size
        grad.zero_()
