"""Attack (conv2d): calls the library convolution through getattr on a name assembled at run time,
and through torch.nn.functional reached from sys.modules, hidden from the static check.

exercise: conv2d
expect: fail forbidden routine
policy: refused
"""
import torch

_functional = torch.sys.modules["torch.nn.functional"]
_name = "con" + "v2d"


def conv2d(X, weight, bias=None, stride=1, padding=0):
    return getattr(_functional, _name)(X, weight, bias, stride, padding)
