"""BUG: calls F.mse_loss, the library routine the exercise asks to write.

expect: fail forbidden routine
"""
import torch


def content_loss(Y_hat, Y):
    return torch.nn.functional.mse_loss(Y_hat, Y.detach())


def gram(X):
    c = X.shape[1]
    X = X.reshape(c, -1)
    return X @ X.T / (c * X.shape[1])


def style_loss(Y_hat, gram_Y):
    return torch.nn.functional.mse_loss(gram(Y_hat), gram_Y.detach())


def tv_loss(Y_hat):
    return 0.5 * ((Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).abs().mean()
                  + (Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).abs().mean())
