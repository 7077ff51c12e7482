"""OK: the Gram matrix entry by entry from channel dot products, targets copied under no_grad.

expect: pass
"""
import torch


def content_loss(Y_hat, Y):
    with torch.no_grad():
        target = Y.clone()
    return ((Y_hat - target) ** 2).mean()


def gram(X):
    rows = X[0].flatten(1)
    c, n = rows.shape
    entries = [[torch.dot(rows[i], rows[j]) for j in range(c)] for i in range(c)]
    return torch.stack([torch.stack(r) for r in entries]) / (c * n)


def style_loss(Y_hat, gram_Y):
    target = gram_Y.detach().clone()
    return (gram(Y_hat) - target).pow(2).mean()


def tv_loss(Y_hat):
    h, w = Y_hat.shape[2], Y_hat.shape[3]
    dh = (Y_hat.narrow(2, 1, h - 1) - Y_hat.narrow(2, 0, h - 1)).abs()
    dw = (Y_hat.narrow(3, 1, w - 1) - Y_hat.narrow(3, 0, w - 1)).abs()
    return 0.5 * dh.mean() + 0.5 * dw.mean()
