"""sgd puts new tensors into the list: the loop's w and b are not the ones updated, and the new ones are not leaves.

expect: fail same tensors updated, no graph through the update
"""

import torch


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    for i, param in enumerate(params):
        params[i] = param - lr * param.grad / batch_size
        param.grad.zero_()
