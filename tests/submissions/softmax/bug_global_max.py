"""BUG: subtracts one global maximum instead of each slice's own maximum.

A slice such as (-5000, -5001, -5002) next to a slice holding 1000 underflows to 0/0.
expect: fail numerical stability
"""
import torch


def softmax(X, dim=-1):
    e = (X - X.max()).exp()
    return e / e.sum(dim, keepdim=True)
