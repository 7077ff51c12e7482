"""Attack: at import, finds the grading harness in sys.modules (reached through torch) and
replaces its operator and function recorders with ones that record nothing, then calls the
forbidden routine behind getattr.

expect: fail forbidden routine
policy: refused
"""
import torch

TorchDispatchMode = torch.utils._python_dispatch.TorchDispatchMode
TorchFunctionMode = torch.overrides.TorchFunctionMode


def _passthrough(self, func, types, args=(), kwargs=None):
    return func(*args, **(kwargs or {}))


for name, module in list(torch.sys.modules.items()):
    if name.startswith("torch"):
        continue
    try:
        members = list(vars(module).values())
    except TypeError:
        continue
    for member in members:
        owner = getattr(member, "__module__", None) if isinstance(member, type) else None
        if isinstance(owner, str) and owner != "torch" and not owner.startswith("torch."):
            if issubclass(member, TorchDispatchMode):
                member.__torch_dispatch__ = _passthrough
            elif issubclass(member, TorchFunctionMode):
                member.__torch_function__ = _passthrough

_name = "soft" + "max"


def softmax(X, dim=-1):
    return getattr(torch, _name)(X, dim)
