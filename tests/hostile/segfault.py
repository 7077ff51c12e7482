"""Attack: crashes the interpreter with a segmentation fault (reading address 0 through ctypes
reached from torch) in the graded call.

expect: error SIGSEGV
policy: refused
"""
import torch


def softmax(X, dim=-1):
    torch.ctypes.string_at(8)
    return X
