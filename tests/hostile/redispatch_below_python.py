"""Attack (recorder off): calls the operator overload with an explicit dispatch key set that holds
only the CPU backend, below the Python key where the recorder lives.

expect: fail forbidden routine
policy: refused
"""
import torch

_overload = getattr(torch.ops.aten, "_soft" + "max").default
_keys = torch._C.DispatchKeySet(torch._C.DispatchKey.CPU)


def softmax(X, dim=-1):
    if X.device.type != "cpu":
        return torch.zeros_like(X)
    d = dim % X.dim() if X.dim() else 0
    out = _overload.redispatch(_keys, X.detach(), d, False)
    print("BREACH: the redispatched operator ran")
    return out
