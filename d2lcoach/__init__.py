"""d2lcoach: a command-line tutor and grader for the PyTorch edition of Dive into Deep Learning."""

__version__ = "0.1.0"
