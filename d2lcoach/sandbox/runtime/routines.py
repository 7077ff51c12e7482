"""Forbidden Python routines switched off in the sandboxed child, before the learner's code loads.

The code rules refuse a forbidden name (`torch.nn.init.xavier_uniform_`) where the source writes it;
code built at run time can still reach the routine, and a routine written in Python (an initialiser,
an optimiser, a loss) runs the same operators as honest code, so no operator switch-off can tell it.
Here each forbidden name that is a Python function (or a class with its own `__init__`) gets its code
object replaced in place: every reference to it, under any name, in any module, now writes
`disabled::NAME` to the evidence pipe and raises. Decorated functions are switched off down their
`__wrapped__` chain. A forbidden class is switched off whole: every function in its own namespace
(not only `__init__`: `SGD.step` on an object built without it), and the functions of its own module
that those call by name (`torch.optim.sgd.sgd` and its single- and multi-tensor kernels, reachable
through any method's `__globals__`). A forbidden module (`torch.optim`) is switched off with every
function and class defined in it or its submodules (the functional `adam` in `torch.optim.adam`,
which the package no longer names). torch's own Python implementations of a forbidden routine are switched off with it: its
reference (`torch._refs.softmax` for `torch.softmax`) and the decompositions registered only for
forbidden operators (`torch._decomp.decompositions._softmax`), which compute it from primitive
operators that no operator switch-off refuses. The original code is not kept, so nothing in this
process can put it back.

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
    """Compile the templates for functions with up to `counts` free variables, and read torch's
    references and decompositions (in the warm worker: each child would read them again, 5 to 10 ms)."""
    for free in range(counts + 1):
        _template(free)
    _references()
    _decompositions()


def _references() -> dict:
    """torch's map from its functions to their Python references (cached by torch itself)."""
    try:
        from torch._prims.context import torch_to_refs_map
        return torch_to_refs_map()
    except Exception:  # noqa: BLE001 - a torch without references has none to switch off
        return {}


_REGISTERED: list = []  # [(the decomposition tables' sizes, {function: the operators it is registered for})]


def _decompositions() -> dict:
    """Each Python decomposition torch has registered, with the full names of the operators it is
    registered for; computed once per state of the tables (the warm worker reads them before it forks,
    and no learner code has run in a child when it asks)."""
    tables = getattr(sys.modules.get("torch._decomp"), "global_decomposition_table", None) or {}
    sizes = tuple((key, len(table)) for key, table in list(tables.items()))
    if _REGISTERED and _REGISTERED[0][0] == sizes:
        return _REGISTERED[0][1]
    registered: dict = {}
    for table in list(tables.values()):
        for op, function in list(table.items()):
            name = op.name() if callable(getattr(op, "name", None)) else str(op)
            registered.setdefault(function, set()).add(name)
    _REGISTERED[:] = [(sizes, registered)]
    return registered


@functools.lru_cache(maxsize=None)  # one per name and free-variable count: a module holds hundreds
def _refusing_code(name: str, fd: int, free: int) -> types.CodeType:
    """A code object with `free` free variables that writes the evidence line to `fd` and raises."""
    line = (PREFIX + name[:180] + "\n").encode()
    message = f"{name} is switched off in this exercise: it is the routine you are asked to write yourself"
    values = {(int, _FD): fd, (bytes, _LINE): line, (str, _MESSAGE): message}
    template = _template(free)
    consts = tuple(values.get((type(c), c), c) if type(c) in (int, bytes, str) else c
                   for c in template.co_consts)
    return template.replace(co_consts=consts)


def _functions_of(cls: type) -> list:
    """The functions in a class's own namespace (methods, static and class methods, property parts)."""
    found = []
    for value in list(vars(cls).values()):
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        parts = (value.fget, value.fset, value.fdel) if isinstance(value, property) else (value,)
        found += [p for p in parts if isinstance(p, types.FunctionType)]
    return found


def _called_by_name(functions: list, module: str) -> list:
    """`functions` and, transitively, the functions of `module` they call by global name."""
    found, queue = [], list(functions)
    while queue:
        function = queue.pop()
        if function in found:
            continue
        found.append(function)
        if isinstance(getattr(function, "__wrapped__", None), types.FunctionType):
            queue.append(function.__wrapped__)  # a decorator's wrapper calls the real method
        codes = [function.__code__]
        while codes:
            code = codes.pop()
            codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
            for name in code.co_names:
                callee = function.__globals__.get(name)
                if isinstance(callee, types.FunctionType) and callee.__module__ == module:
                    queue.append(callee)
    return found


def _module_members(module: types.ModuleType) -> list:
    """Every function and class defined in `module` or in its already-imported submodules."""
    prefix = module.__name__
    members = []
    for name, sub in list(sys.modules.items()):
        if sub is None or not (name == prefix or name.startswith(prefix + ".")):
            continue
        for value in list(vars(sub).values()):
            if isinstance(value, (types.FunctionType, type)) and getattr(value, "__module__", None) == name:
                members.append(value)
    return members


def _targets(obj) -> list[types.FunctionType]:
    if isinstance(obj, types.ModuleType):
        roots = _module_members(obj)
    elif isinstance(obj, type):
        roots = _called_by_name(_functions_of(obj), obj.__module__)
    else:
        roots = [obj]
    found = []
    for root in roots:
        if isinstance(root, type):
            found += [f for f in _targets(root) if f not in found]
            continue
        while isinstance(root, types.FunctionType) and root not in found:
            found.append(root)
            root = getattr(root, "__wrapped__", None)
    return found


def _python_references(objects: list, ops: set) -> list:
    """torch's Python references of `objects` and the decompositions registered only for `ops`
    (full names with their overload, as in the operator plan); meta kernels compute no values."""
    found = []
    refs = _references()
    for obj in objects:
        if obj is None:  # not imported here (refs maps a missing torch name, None, to some ref)
            continue
        try:
            found.append(refs.get(obj))
        except TypeError:  # unhashable
            pass
    found += [function for function, names in _decompositions().items()
              if ops and names <= ops and getattr(function, "__module__", "") != "torch._meta_registrations"]
    return [f for f in found if f is not None]


def disable(names, evidence_fd: int | None, ops=()) -> int:
    """Switch off every Python routine `names` reaches, and torch's Python implementations of them and
    of the forbidden operators `ops`; returns how many code objects were replaced."""
    fd = -1 if evidence_fd is None else int(evidence_fd)
    count = 0
    targets = [(str(name), _resolve(str(name))) for name in names or ()]
    references = _python_references([obj for _, obj in targets], {str(op) for op in ops or ()})
    targets += [(f"{getattr(obj, '__module__', 'torch')}.{getattr(obj, '__qualname__', '?')}", obj)
                for obj in references]
    for name, obj in targets:
        for function in _targets(obj):
            function.__code__ = _refusing_code(name, fd, len(function.__code__.co_freevars))
            count += 1
    return count
