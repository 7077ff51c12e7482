"""squared_loss reshapes y to a column whatever y_hat's shape: right for linreg's (n, 1), wrong for an (n,) y_hat.

expect: fail shape
"""

import torch


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model: X @ w + b."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Half the squared error per example, with y reshaped to y_hat's shape."""
    return (y_hat - y.reshape(-1, 1)) ** 2 / 2


def sgd(params, lr: float, batch_size: int) -> None:
    """Minibatch stochastic gradient descent, in place; the gradients are zeroed afterwards."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
