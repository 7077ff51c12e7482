"""The learner's side: the tutor (next, check, hint), the workspace and its progress file, watch, notebooks.

`next_task`, `check` and `hint` are what `d2lcoach next`, `check` and `hint` do, callable from Python.
"""

from d2lcoach.learner.tutor import check, hint, next_task

__all__ = ["check", "hint", "next_task"]
