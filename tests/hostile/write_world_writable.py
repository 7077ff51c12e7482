"""Attack: drops marker files in the world-writable places of the machine (/tmp, /var/tmp,
/dev/shm, $HOME), where the next submission or another user would find them.

Only the namespace level can hold: the process fallback shares the machine's /tmp.
needs: namespaces
expect: contained
policy: refused
"""
import torch

os = torch.os
for folder in ("/tmp", "/var/tmp", "/dev/shm", os.environ.get("HOME", "/tmp"), "/run/lock"):
    try:
        with open(os.path.join(folder, "__MARKER__"), "w") as f:
            f.write("planted by a hostile submission\n")
    except OSError:
        pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
