"""Attack: in batch grading, reads a classmate's submission from the workspace by absolute path
and runs it as its own. Without it, it returns X (wrong).

needs: namespaces
expect: fail values
policy: refused
"""
import torch

theirs = None
try:
    with open("__WORKSPACE__/softmax.py") as f:
        scope = {"__name__": "classmate", "torch": torch}
        exec(compile(f.read(), "classmate.py", "exec"), scope)
    theirs = scope["soft" + "max"]
    print("BREACH: copied another submission", flush=True)
except Exception:
    pass


def softmax(X, dim=-1):
    if theirs is not None:
        return theirs(X, dim)
    return X
