"""The pre-no_grad style: update .data in place, then drop the gradient (set to None).

expect: pass
"""

import torch


def linreg(X, w, b):
    return X @ w + b


def squared_loss(y_hat, y):
    diff = y_hat - y.view(y_hat.shape)
    return 0.5 * diff * diff


def sgd(params, lr, batch_size):
    for param in params:
        param.data.sub_(lr / batch_size * param.grad.data)
        param.grad = None
