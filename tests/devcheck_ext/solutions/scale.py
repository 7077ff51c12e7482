"""Reference solution of the fixture exercise."""


def scale(X, factor=2.0):
    return X * factor
