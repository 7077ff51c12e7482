"""Attack (recorder off): runs the routine on a thread of its own (modes are thread-local), then
falls back to an honest softmax if the routine was refused. The child runs one thread only, so the
thread cannot even start: the call raises, and earns nothing.

xfail: portable: no seccomp filter refuses a second thread, and the recorders are thread-local
expect: fail values
policy: refused
"""
import torch

_threading = torch.sys.modules["threading"]
_routine = getattr(torch, "soft" + "max")


def softmax(X, dim=-1):
    box = {}

    def work():
        try:
            box["out"] = _routine(X.detach(), dim)
        except RuntimeError:
            pass

    worker = _threading.Thread(target=work)
    worker.start()
    worker.join()
    if "out" in box:
        print("BREACH: the routine ran on another thread")
        return box["out"]
    shifted = X - X.max(dim, keepdim=True).values
    return shifted.exp() / shifted.exp().sum(dim, keepdim=True)
