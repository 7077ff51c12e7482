"""Scenario: the file is empty of the function asked for."""
import torch


def soft_max(X, dim=-1):
    return X
