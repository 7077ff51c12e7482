"""BUG: content_loss halves the mean squared error, like squared_loss of D2L 3.2.

expect: fail content loss
"""
import torch


def content_loss(Y_hat, Y):
    return (torch.square(Y_hat - Y.detach()) / 2).mean()


def gram(X):
    c = X.shape[1]
    X = X.reshape(c, -1)
    return X @ X.T / (c * X.shape[1])


def style_loss(Y_hat, gram_Y):
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat):
    return 0.5 * ((Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).abs().mean()
                  + (Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).abs().mean())
