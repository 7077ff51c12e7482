"""Forbidden operators switched off below Python, in the sandboxed child, before the learner's code loads.

The parent sends the exercise's forbidden operators with every dispatch key that holds a kernel for
them (CPU, CUDA, Meta, Sparse*, Quantized*, NestedTensor*, Autograd, the composite aliases, ...).
Each of those kernels is replaced by one that writes the operator's name to the evidence pipe and
raises. The dispatcher is global to the process, so this holds on every thread, below every Python
mode, for redispatch, custom operators, the backward pass and work done after the recording window.
The registration handles are kept alive by a leaked reference and by nothing Python can reach, so
code in this process cannot unregister them. Runs only in a forked child: the warm worker is untouched.
"""

from __future__ import annotations

import ctypes
import functools
import os
import warnings

import torch


def _refuse(write, fd: int, line: bytes, message: str, *args, **kwargs):
    try:
        write(fd, line)
    except OSError:
        pass
    raise RuntimeError(message)


def disable(plan, evidence_fd: int | None) -> int:
    """Replace the kernels named by `plan` ([[operator, [dispatch key, ...]], ...]); returns how many.

    Operators this process does not have (torchvision is not loaded in the sandbox) are skipped."""
    if not plan:
        return 0
    known = set()
    libraries = {}
    count = 0
    fd = -1 if evidence_fd is None else int(evidence_fd)
    with warnings.catch_warnings():  # "overriding a previously registered kernel", once per key
        warnings.simplefilter("ignore")
        for entry in plan:
            op, keys = str(entry[0]), [str(k) for k in entry[1]]
            namespace, _, name = op.partition("::")
            if (namespace, name) in known or not torch._C._dispatch_has_kernel(op):
                continue
            known.add((namespace, name))
            library = libraries.get(namespace)
            if library is None:
                library = libraries[namespace] = torch._C._dispatch_library("IMPL", namespace, "")
            kernel = functools.partial(
                _refuse, os.write, fd, (op[:190] + "\n").encode(),
                f"{op} is switched off in this exercise: it is the routine you are asked to write yourself")
            for key in keys:
                library.impl(name, key, kernel, False)
                count += 1
    for library in libraries.values():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(library))  # never freed, so never unregistered
    libraries.clear()
    return count
