"""Not an attack: run after an attack that tries to persist, in the same sandbox, it prints
LEFTOVER for every marker-named file it can still find (unlocking folders on the way), for the
attack's IPC objects and for its abstract socket, and answers correctly.

expect: pass
"""
import torch

os = torch.os
ctypes = torch.ctypes
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
for folder in ("/", "/dev", "/etc", "/run", "/home"):
    try:
        names = os.listdir(folder)
    except OSError:
        continue
    for name in names:
        if "__MARKER__" in name:
            print(f"LEFTOVER {os.path.join(folder, name)}", flush=True)
key = "%08x" % (int("__MARKER__"[4:12], 16) & 0x7FFFFFFF)
for kind in ("shm", "sem", "msg"):
    try:
        with open(f"/proc/sysvipc/{kind}") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        continue
    for row in rows:
        if row.split() and int(row.split()[0]) == int(key, 16):
            print(f"LEFTOVER SysV {kind} object with key {key}", flush=True)
socket = torch.sys.modules["importlib"].import_module("socket")
try:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(0.5)
    client.connect("\0__MARKER__")
    print("LEFTOVER abstract socket", flush=True)
except OSError:
    pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
