"""Attack: tries to leave a file for the next submission in every place it might write: the
root, /dev, /dev/shm, /etc, /var/tmp, /run, /home, /tmp and the folder above its scratch. Each
write that works is printed; under namespaces none may (the root and /dev are read-only, and
the child writes only inside its own scratch folder); then the detector must find nothing.

portable: not contained: the child has the grader's user, so as root it can write into /, /etc, /run and /home, and files there outlive the submission
expect: contained
probe: persist
"""
import torch

os = torch.os
for folder in ("/", "/dev", "/dev/shm", "/etc", "/var/tmp", "/run", "/home", "/tmp", ".."):
    path = os.path.join(folder, "__MARKER__-left")
    try:
        with open(path, "w") as f:
            f.write("for the next one\n")
    except OSError:
        continue
    print(f"WROTE {path}", flush=True)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
