"""BUG: returns the log-softmax, X - logsumexp(X), the quantity cross-entropy needs, instead of
the softmax itself: the slices sum to something other than 1 and every value is negative.

expect: fail values
"""
import torch


def softmax(X, dim=-1):
    return X - torch.logsumexp(X, dim=dim, keepdim=True)
