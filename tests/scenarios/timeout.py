"""Scenario: an endless loop in the call."""
import torch


def softmax(X, dim=-1):
    while True:
        pass
