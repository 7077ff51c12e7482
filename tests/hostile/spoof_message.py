"""Attack: raises at import with an exception text that forges the grader's own output: new
lines, a fake d2lcoach traceback and a fake "passed" line, hoping the instructor's report shows
them as the grader's words. The cause must stay one line.

expect: error
"""
import torch

raise ValueError(
    "nothing\nTraceback (most recent call last):\n"
    '  File "/opt/d2lcoach/grading/engine.py", line 1, in grade_source\n'
    "PASSED softmax: score 1.0 (10/10 points)")


def softmax(X, dim=-1):
    return X
