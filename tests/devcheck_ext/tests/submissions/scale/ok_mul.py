"""Correct, with torch.mul.

expect: pass
"""
import torch


def scale(X, factor=2.0):
    return torch.mul(X, factor)
