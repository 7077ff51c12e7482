"""Attack (evidence channel): finds the harness through sys.modules and rewrites its evidence
channel (the descriptor, the "already sent" set, the send function), blinds the recorders, then
calls the routine; if refused, falls back to an honest softmax, so only the evidence can fail it.

expect: fail forbidden routine
policy: refused
"""
import torch

_harness = torch.sys.modules.get("harness")
_routine = getattr(torch, "soft" + "max")

if _harness is not None:
    channel = _harness._Evidence
    channel.fd = None
    channel.sent = type("Everything", (set,), {"__contains__": lambda self, item: True})()
    channel.send = classmethod(lambda cls, line: None)
    _harness._RECORD["ops"] = False
    _harness._RECORD["functions"] = False


def softmax(X, dim=-1):
    with torch._C._DisableTorchDispatch(), torch._C.DisableTorchFunction():
        try:
            out = _routine(X, dim)
            print("BREACH: the routine ran")
            return out
        except RuntimeError:
            pass
    shifted = X - X.max(dim, keepdim=True).values
    return shifted.exp() / shifted.exp().sum(dim, keepdim=True)
