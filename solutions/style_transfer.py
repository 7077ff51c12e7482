"""Reference solution for style_transfer (D2L 14.12): the book's content, Gram, style and TV losses."""

import torch


def content_loss(Y_hat: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """The mean squared difference against the detached target Y."""
    return torch.square(Y_hat - Y.detach()).mean()


def gram(X: torch.Tensor) -> torch.Tensor:
    """X (1, c, h, w) read as (c, h*w), times its transpose, divided by c * h * w."""
    num_channels, n = X.shape[1], X.numel() // X.shape[1]
    X = X.reshape((num_channels, n))
    return torch.matmul(X, X.T) / (num_channels * n)


def style_loss(Y_hat: torch.Tensor, gram_Y: torch.Tensor) -> torch.Tensor:
    """The mean squared difference between gram(Y_hat) and the detached style Gram matrix."""
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat: torch.Tensor) -> torch.Tensor:
    """Half the sum of the mean absolute vertical and horizontal differences."""
    return 0.5 * (torch.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean() +
                  torch.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean())
