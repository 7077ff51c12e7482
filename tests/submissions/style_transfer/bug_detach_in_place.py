"""BUG: detaches the caller's gram_Y in place with detach_(), which changes the argument.

expect: fail no mutation
"""
import torch


def content_loss(Y_hat, Y):
    return torch.square(Y_hat - Y.detach()).mean()


def gram(X):
    c = X.shape[1]
    X = X.reshape(c, -1)
    return X @ X.T / (c * X.shape[1])


def style_loss(Y_hat, gram_Y):
    gram_Y.detach_()
    return torch.square(gram(Y_hat) - gram_Y).mean()


def tv_loss(Y_hat):
    return 0.5 * ((Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).abs().mean()
                  + (Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).abs().mean())
