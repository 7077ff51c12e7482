"""Scenario: a wrong signature."""
import torch


def softmax(X):
    e = (X - X.max(-1, keepdim=True).values).exp()
    return e / e.sum(-1, keepdim=True)
