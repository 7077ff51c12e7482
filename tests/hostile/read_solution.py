"""Attack: reads the reference solution by absolute path (and hunts the filesystem for any copy
of it), executes it and returns its answers. Without it, it returns X (wrong).

Only the namespace level can hold: the process fallback can read world-readable files.
needs: namespaces
expect: fail values
policy: refused
"""
import torch

os = torch.os
time = torch.sys.modules["time"]


def _find():
    candidates = ["__REPO__/solutions/softmax.py"]
    deadline = time.monotonic() + 2.0
    for folder, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
        if time.monotonic() > deadline:
            break
        if "softmax.py" in files:
            candidates.append(os.path.join(folder, "softmax.py"))
    for path in candidates:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        if "Reference solution" in text:
            os.write(1, f"BREACH: read the reference at {path}\n".encode())
            scope = {"__name__": "stolen"}
            exec(compile(text, path, "exec"), scope)
            return scope[softmax.__name__]
    return None


_stolen = None
_looked = False


def softmax(X, dim=-1):
    global _stolen, _looked
    if not _looked:
        _looked = True
        _stolen = _find()
    if _stolen is not None:
        return _stolen(X, dim)
    return X
