"""Attack: puts the course repository on sys.path and imports the reference solution as a
module (through importlib reached from torch, since `import importlib` is refused), falling back
to a spec built from its absolute path. Without it, it returns X (wrong).

needs: namespaces
expect: fail values
policy: refused
"""
import torch

sys = torch.sys
importlib = sys.modules["importlib"]
util = sys.modules.get("importlib.util") or importlib.import_module("importlib.util")

stolen = None
sys.path.insert(0, "__REPO__")
try:
    stolen = importlib.import_module("solutions.softmax")
except Exception:
    try:
        spec = util.spec_from_file_location("stolen", "__REPO__/solutions/softmax.py")
        stolen = util.module_from_spec(spec)
        spec.loader.exec_module(stolen)
    except Exception:
        stolen = None
if stolen is not None:
    print("BREACH: imported the reference solution", flush=True)


def softmax(X, dim=-1):
    if stolen is not None:
        return getattr(stolen, softmax.__name__)(X, dim)
    return X
