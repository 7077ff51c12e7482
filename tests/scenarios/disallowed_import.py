"""Scenario: an import that is not allowed."""
import scipy.special


def softmax(X, dim=-1):
    return scipy.special.softmax(X, dim)
