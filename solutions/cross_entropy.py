"""Reference solution for the cross_entropy exercise (D2L 4.4): the cross-entropy loss by indexing, and the count of correct predictions."""

import torch


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """-log of each example's predicted probability of its true class: shape (n,), not averaged.

    The true class's probability is picked by indexing, as in the book, so no other class's
    probability (a zero among them) enters the value or the gradient.
    """
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """The number of correct predictions, a float (the book's `accuracy`).

    A 2-D y_hat with more than one column holds scores per class: the prediction is the argmax
    of each row. Otherwise y_hat already holds predicted labels.
    """
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())
