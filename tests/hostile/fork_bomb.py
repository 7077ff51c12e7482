"""Attack: a fork bomb, reaching `os` through torch (`import os` is refused by the static check).

Each child forks once more and every process then blocks forever under the test's marker name.
The bomb is capped at 48 forks so that a missing process limit cannot hurt the machine: the
process limit (24 in the hostile suite) must stop it first. Then it answers correctly.
expect: contained
policy: refused
probe: forks
"""
import torch

os = torch.os


def _hang():
    torch.ctypes.CDLL(None).prctl(15, b"__MARKER__", 0, 0, 0)  # PR_SET_NAME: the test finds it by name
    r, w = os.pipe()
    while True:
        os.read(r, 1)


forks = 0
for _ in range(24):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        os.write(1, b"FORKED\n")  # every new process reports itself: the probe counts them
        try:
            if os.fork() == 0:
                os.write(1, b"FORKED\n")
                _hang()
        except OSError:
            pass
        _hang()
    forks += 1


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
