"""Return X * factor."""


def scale(X, factor=2.0):
    raise NotImplementedError("scale: fill in this function")
