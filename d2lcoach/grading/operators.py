"""Which registered operators an exercise forbids, and which dispatch keys hold their kernels.

Patterns in course.yaml (`ops`) are shell patterns over `namespace::name.overload`, written for every
namespace (`*::*softmax*`), so `mkldnn::`, `quantized::` or a new namespace is covered too. The plan
is computed once per pattern set in the trusted parent and sent with each request; the child switches
those kernels off (sandbox/runtime/kernels.py) before the learner's code loads.
"""

from __future__ import annotations

import fnmatch
import functools
import re

import torch

_KEY_LINE = re.compile(r"^(\w+)(?:\[alias\])?: registered at", re.M)

#: Keys whose kernels never compute: they record, wrap, cast or batch, then call the operator again
#: below themselves, where the computing kernel (CPU, CUDA, Meta, Sparse*, Quantized*, NestedTensor*,
#: Mkldnn*, or a composite alias) is the one switched off. Leaving them out halves the registrations.
PASS_THROUGH = frozenset({
    "Autograd", "AutogradCPU", "AutogradCUDA", "AutogradMeta", "AutogradNestedTensor", "AutogradOther",
    "ADInplaceOrView", "Functionalize", "Tracer", "BackendSelect", "Python", "PythonTLSSnapshot", "PreDispatch",
    "FuncTorchBatched", "FuncTorchBatchedDecomposition", "FuncTorchVmapMode", "FuncTorchGradWrapper",
    "FuncTorchDynamicLayerFrontMode", "FuncTorchDynamicLayerBackMode", "Conjugate", "Negative", "ZeroTensor",
})


def _literal(pattern: str) -> str:
    """The longest plain run of a pattern: a name without it cannot match (a cheap first test)."""
    return max(re.split(r"[*?]", re.sub(r"\[[^\]]*\]", "*", pattern)), key=len)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> tuple[str, re.Pattern]:
    return _literal(pattern), re.compile(fnmatch.translate(pattern))


def matches(name: str, patterns) -> bool:
    for pattern in patterns:
        literal, regex = _compiled(pattern)
        if literal in name and regex.match(name):
            return True
    return False


def registered_operators() -> list[str]:
    """Every operator (with its overload) this process's dispatcher knows."""
    return sorted(set(torch._C._dispatch_get_all_op_names()))


def kernel_keys(op: str) -> tuple[str, ...]:
    """The dispatch keys (runtime keys and aliases) with a kernel registered for `op`."""
    keys = torch._C.DispatchKey.__members__
    return tuple(k for k in dict.fromkeys(_KEY_LINE.findall(torch._C._dispatch_dump(op))) if k in keys)


@functools.lru_cache(maxsize=64)
def kernel_plan(patterns: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """[(operator, computing keys)] for every registered operator matching `patterns`."""
    if not patterns:
        return ()
    plan = []
    for op in registered_operators():
        if matches(op, patterns):
            keys = tuple(k for k in kernel_keys(op) if k not in PASS_THROUGH and not k.startswith("Autocast"))
            if keys:
                plan.append((op, keys))
    return tuple(plan)


def request_plan(patterns) -> list[list]:
    """The plan as plain lists, ready for the wire."""
    return [[op, list(keys)] for op, keys in kernel_plan(tuple(patterns))]
