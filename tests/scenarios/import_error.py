"""Scenario: an exception while loading."""
import torch

WEIGHTS = torch.load("weights.pt")


def softmax(X, dim=-1):
    return X
