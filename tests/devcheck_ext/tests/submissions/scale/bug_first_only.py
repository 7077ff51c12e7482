"""BUG: scales the first element only; right only when X has one element.

expect: fail shape
"""


def scale(X, factor=2.0):
    return X[:1] * factor
