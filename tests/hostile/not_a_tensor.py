"""Attack: returns an object that claims to equal anything and to be a tensor of the right
shape and dtype (its __class__ even says torch.Tensor).

expect: fail result type
policy: refused
"""
import torch


class Anything:
    def __init__(self, like):
        self.shape = like.shape
        self.dtype = like.dtype
        self.device = like.device

    @property
    def __class__(self):
        return torch.Tensor

    def __eq__(self, other):
        return True

    def __getattr__(self, name):
        return lambda *args, **kwargs: True


def softmax(X, dim=-1):
    return Anything(X)
