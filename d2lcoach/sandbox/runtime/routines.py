"""Forbidden Python routines switched off in the sandboxed child, before the learner's code loads.

The code rules refuse a forbidden name (`torch.nn.init.xavier_uniform_`) where the source writes it;
code built at run time can still reach the routine, and a routine written in Python (an initialiser,
an optimiser, a loss) runs the same operators as honest code, so no operator switch-off can tell it.
Here each forbidden name that is a Python function (or a class with its own `__init__`) gets its code
object replaced in place: every reference to it, under any name, in any module, now writes
`disabled::NAME` to the evidence pipe and raises. Decorated functions are switched off down their
`__wrapped__` chain. The original code is not kept, so nothing in this process can put it back.

Only modules already imported are looked at (the warm worker imported torch and its nn, init and
optim packages); builtins and C functions are left to the operator switch-off (kernels.py). Runs only
in a forked child: the warm worker is untouched.
"""

from __future__ import annotations

import functools
import sys
import types

PREFIX = "disabled::"


def _resolve(dotted: str):
    """The object a dotted name reaches through modules this process has already imported, or None."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:i]))
        if module is None:
            continue
        obj = module
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


#: Stand-ins in the compiled template, replaced by the routine's own values in `_refusing_code`.
_FD, _LINE, _MESSAGE = -0x5EC0DE, b"\x00line\x00", "\x00message\x00"


@functools.lru_cache(maxsize=None)
def _template(free: int) -> types.CodeType:
    """The refusing code with `free` free variables (a function's code may only be replaced by one with
    as many), compiled once per count with stand-ins for the fd, the evidence line and the message.
    The warm worker compiles the common counts before it forks (`warm`), so a child only copies them."""
    cells = [f"_cell{i}" for i in range(free)]
    source = ("def _outer():\n" + "".join(f"    {c} = None\n" for c in cells)
              + "    def _refused(*args, **kwargs):\n"
              + (f"        ({', '.join(cells)},)\n" if cells else "")
              + "        try:\n"
              + f"            __import__('os').write({_FD}, {_LINE!r})\n"
              + "        except OSError:\n"
              + "            pass\n"
              + f"        raise RuntimeError({_MESSAGE!r})\n"
              + "    return _refused\n")
    namespace: dict = {}
    exec(compile(source, "<switched off>", "exec"), namespace)  # noqa: S102 - our own fixed text
    return namespace["_outer"]().__code__


def warm(counts: int = 4):
    """Compile the templates for functions with up to `counts` free variables (in the warm worker)."""
    for free in range(counts + 1):
        _template(free)


def _refusing_code(name: str, fd: int, free: int) -> types.CodeType:
    """A code object with `free` free variables that writes the evidence line to `fd` and raises."""
    line = (PREFIX + name[:180] + "\n").encode()
    message = f"{name} is switched off in this exercise: it is the routine you are asked to write yourself"
    values = {(int, _FD): fd, (bytes, _LINE): line, (str, _MESSAGE): message}
    template = _template(free)
    consts = tuple(values.get((type(c), c), c) if type(c) in (int, bytes, str) else c
                   for c in template.co_consts)
    return template.replace(co_consts=consts)


def _targets(obj) -> list[types.FunctionType]:
    if isinstance(obj, type):
        init = obj.__dict__.get("__init__")
        obj = init if isinstance(init, types.FunctionType) else None
    found = []
    while isinstance(obj, types.FunctionType) and obj not in found:
        found.append(obj)
        obj = getattr(obj, "__wrapped__", None)
    return found


def disable(names, evidence_fd: int | None) -> int:
    """Switch off every Python routine `names` reaches; returns how many code objects were replaced."""
    fd = -1 if evidence_fd is None else int(evidence_fd)
    count = 0
    for name in names or ():
        for function in _targets(_resolve(str(name))):
            function.__code__ = _refusing_code(str(name), fd, len(function.__code__.co_freevars))
            count += 1
    return count
