"""Not an attack: run after persist_to_next.py in the same sandbox, it prints LEFTOVER for every
marker-named file it can still find (unlocking folders on the way), and answers correctly.

expect: pass
"""
import torch

os = torch.os
seen = 0
for root in (os.path.dirname(os.getcwd()), "/tmp", "/dev/shm", "/var/tmp"):
    for folder, dirs, files in os.walk(root):
        seen += 1
        if seen > 2000:
            break
        for name in dirs + files:
            if "__MARKER__" in name:
                path = os.path.join(folder, name)
                try:
                    os.chmod(path, 0o700)
                except OSError:
                    pass
                print(f"LEFTOVER {path}", flush=True)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
