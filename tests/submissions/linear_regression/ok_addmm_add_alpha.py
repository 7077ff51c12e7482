"""linreg with addmm, squared_loss with reshape_as and pow, sgd with in-place add_ and alpha.

expect: pass
"""

import torch


def linreg(X, w, b):
    return torch.addmm(b, X, w)


def squared_loss(y_hat, y):
    return (y_hat - y.reshape_as(y_hat)).pow(2).div(2)


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-lr / batch_size)
            p.grad.zero_()
