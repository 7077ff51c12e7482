"""linreg with addmm, squared_loss with reshape_as and pow, sgd with the in-place foreach routines.

expect: pass
"""

import torch


def linreg(X, w, b):
    return torch.addmm(b, X, w)


def squared_loss(y_hat, y):
    return (y_hat - y.reshape_as(y_hat)).pow(2).div(2)


def sgd(params, lr, batch_size):
    params = list(params)
    with torch.no_grad():
        torch._foreach_add_(params, [p.grad for p in params], alpha=-lr / batch_size)
        for p in params:
            p.grad.zero_()
