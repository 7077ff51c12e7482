"""Attack: spies on the grader: reads the environment of every process it can see (looking for
the secret the test put in the grader's environment), and the grader's environ, cwd and root by
its pid. Each success is printed as BREACH. Then it answers correctly.

needs: namespaces-or-root
expect: contained
policy: refused
"""
import torch

os = torch.os


def say(text):
    os.write(1, (text + "\n").encode())


for entry in os.listdir("/proc"):
    if not entry.isdigit():
        continue
    try:
        with open(f"/proc/{entry}/environ", "rb") as f:
            env = f.read()
    except OSError:
        continue
    for item in env.split(b"\0"):
        if item.startswith(b"D2LCOACH_HOSTILE_SECRET="):
            say(f"BREACH: grader secret in /proc/{entry}/environ: {item.decode()}")
grader = __GRADER_PID__
for what in ("environ", "cwd", "root"):
    path = f"/proc/{grader}/{what}"
    try:
        if what == "environ":
            with open(path, "rb") as f:
                if b"D2LCOACH_HOSTILE_SECRET" in f.read():
                    say(f"BREACH: read {path}")
        else:
            os.listdir(path)
            say(f"BREACH: listed {path}")
    except OSError:
        pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
