"""Attack: leaves a hanging child under the marker name, then SIGKILLs its parent (the sandbox's
worker) from the graded call, as a learner might to crash the grader.

Under namespaces the worker dies and the grade is an error; where the kill is refused the
submission answers correctly. Either way the grader survives and nothing is left behind.
needs: namespaces-or-root
expect: contained
policy: refused
"""
import torch

os = torch.os

if os.fork() == 0:
    torch.ctypes.CDLL(None).prctl(15, b"__MARKER__", 0, 0, 0)  # PR_SET_NAME: the test finds it by name
    r, w = os.pipe()
    while True:
        os.read(r, 1)


def softmax(X, dim=-1):
    try:
        os.kill(os.getppid(), 9)
    except OSError:
        pass
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
