"""Keep torch._dynamo out of processes that never compile (the grader and its sandbox).

Imports only the standard library and torch.
"""

from __future__ import annotations

import importlib
import sys
import types

import torch


def defer():
    """Keep torch._dynamo (about 0.9 s of imports) out of the worker's start-up.

    torch wraps its Python meta kernels in `_disable_dynamo`, which imports torch._dynamo on first
    use only to call `torch._dynamo.disable(fn)`. Nothing is ever compiled here, so `disable` may
    return the function itself; any other use of torch._dynamo imports the real module then.
    """
    class _Deferred(types.ModuleType):
        def disable(self, fn=None, recursive=True, *args, **kwargs):
            if fn is None:
                return lambda f: f
            return fn

        def graph_break(self, *args, **kwargs):  # optimizers call it; a no-op outside compilation
            return None

        def is_compiling(self):
            return False

        def __getattr__(self, name):
            sys.modules.pop("torch._dynamo", None)
            if getattr(torch, "_dynamo", None) is self:
                delattr(torch, "_dynamo")
            return getattr(importlib.import_module("torch._dynamo"), name)

    if "torch._dynamo" not in sys.modules:
        stub = _Deferred("torch._dynamo")
        sys.modules["torch._dynamo"] = stub
        torch._dynamo = stub


