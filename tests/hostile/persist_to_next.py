"""Attack: tries to leave files for the next submission graded in the same sandbox: in its
scratch folder, in /tmp, in /dev/shm, and inside a folder it then locks (chmod 000) so that the
cleanup cannot remove it. The test then grades a detector in the same sandbox.

needs: namespaces
expect: contained
policy: refused
probe: persist
"""
import torch

os = torch.os
for folder in (".", "/tmp", "/dev/shm"):
    try:
        locked = os.path.join(folder, "__MARKER__-locked")
        os.makedirs(locked, exist_ok=True)
        with open(os.path.join(locked, "__MARKER__-inner"), "w") as f:
            f.write("left for the next submission\n")
        os.chmod(locked, 0)
        with open(os.path.join(folder, "__MARKER__-file"), "w") as f:
            f.write("left for the next submission\n")
    except OSError:
        pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
