"""d2lcoach: a command-line tutor and grader for the PyTorch edition of Dive into Deep Learning."""

__version__ = "0.1.0"


def load_ipython_extension(shell):
    """`%load_ext d2lcoach` in IPython or Jupyter: registers the `%d2lcoach` magic (d2lcoach.learner.magic)."""
    from d2lcoach.learner.magic import load_ipython_extension as load
    load(shell)


def unload_ipython_extension(shell):
    from d2lcoach.learner.magic import unload_ipython_extension as unload
    unload(shell)
