"""BUG: reshapes X to (h*w, c), which mixes channels, and multiplies X.T @ X.

expect: fail Gram matrix, style loss
"""
import torch


def content_loss(Y_hat, Y):
    return torch.square(Y_hat - Y.detach()).mean()


def gram(X):
    c = X.shape[1]
    X = X.reshape(-1, c)
    return X.T @ X / X.numel()


def style_loss(Y_hat, gram_Y):
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat):
    return 0.5 * ((Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).abs().mean()
                  + (Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).abs().mean())
