"""Scenario: an exception while loading."""
import torch

WEIGHTS = torch.ones(2, 3) @ torch.ones(2, 3)  # a shape slip at import time


def softmax(X, dim=-1):
    return X
