"""Exercise linear_regression (D2L 3.2 and 3.4): the model, the squared loss and minibatch SGD from scratch."""

import torch


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return the linear model's prediction X @ w + b.

    D2L 3.2, linear regression implementation from scratch:
    https://d2l.ai/chapter_linear-regression/linear-regression-scratch.html

    X is (n, d), w is (d, 1) and b is (1,); the result is (n, 1), with X's dtype and device.
    Gradients must flow back to X, w and b.

    Forbidden: nn.Linear, F.linear (and torch.optim.SGD, F.mse_loss, nn.MSELoss in this exercise).
    """
    raise NotImplementedError("linreg: fill in this function")


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return half the squared error of every example: (y_hat - y) ** 2 / 2, shaped like y_hat.

    y may come as a column (n, 1), a vector (n,) or a row (1, n): reshape it to y_hat's shape
    first (y.reshape(y_hat.shape)). Broadcasting an (n,) y against an (n, 1) y_hat gives an
    (n, n) matrix, not n losses. Do not sum or average: the training loop calls l.sum().backward().
    D2L 3.2: https://d2l.ai/chapter_linear-regression/linear-regression-scratch.html

    Forbidden: F.mse_loss, nn.MSELoss (and nn.Linear, F.linear, torch.optim.SGD in this exercise).
    """
    raise NotImplementedError("squared_loss: fill in this function")


def sgd(params, lr: float, batch_size: int) -> None:
    """Update every parameter in place: param -= lr * param.grad / batch_size, then zero its gradient.

    params is a list of tensors that require grad (the book's [w, b]). Do the update inside
    `with torch.no_grad():` so autograd does not record it, change the caller's tensors in place
    (param -= ..., not param = param - ...), then clear the gradient (param.grad.zero_()), or the
    next backward() adds to it. Return nothing. D2L 3.2: https://d2l.ai/chapter_linear-regression/linear-regression-scratch.html

    Editions: this is the Chinese second edition's (and the classic English edition's) sgd, which
    divides by batch_size because the loop calls l.sum().backward(). The English 1.0 edition writes
    the same model as classes (LinearRegressionScratch, an SGD class with step() and zero_grad())
    and averages the loss with l.mean() instead.

    Forbidden: nn.Linear, F.linear, torch.optim.SGD, F.mse_loss, nn.MSELoss.
    """
    raise NotImplementedError("sgd: fill in this function")
