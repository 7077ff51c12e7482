"""Attack: SIGSTOPs its parent (the sandbox's worker), so that nothing inside the sandbox enforces
the time limit any more, then answers correctly. The grader's own deadline must end it.

needs: namespaces-or-root
expect: contained
policy: refused
"""
import torch

os = torch.os

try:
    os.kill(os.getppid(), 19)  # SIGSTOP
except OSError:
    pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
