"""BUG (cheating): calls F.nll_loss on log(y_hat) through a list of functions picked by index; the recorder must see it.

expect: fail forbidden routine
"""
import torch
import torch.nn.functional as F

_ROUTINES = [F.softmax, F.nll_loss]


def cross_entropy(y_hat, y):
    pick = _ROUTINES[len(_ROUTINES) - 1]
    return pick(torch.log(y_hat), y, reduction="none")


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).sum())
