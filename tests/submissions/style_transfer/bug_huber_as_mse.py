"""BUG: MSE by another name: twice the Huber loss with an unreachable delta is the mean squared error,
the library routine the exercise asks to write.

expect: fail forbidden routine
"""
import torch


def content_loss(Y_hat, Y):
    return 2 * torch.nn.functional.huber_loss(Y_hat, Y.detach(), delta=1e30)


def gram(X):
    c = X.shape[1]
    X = X.reshape(c, -1)
    return X @ X.T / (c * X.shape[1])


def style_loss(Y_hat, gram_Y):
    return 2 * torch.nn.functional.huber_loss(gram(Y_hat), gram_Y.detach(), delta=1e30)


def tv_loss(Y_hat):
    return 0.5 * ((Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).abs().mean()
                  + (Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).abs().mean())
