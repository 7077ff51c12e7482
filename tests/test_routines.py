"""The switch-off of forbidden Python routines (sandbox/runtime/routines.py), on functions of a module
made for the test (never torch's own: the switch-off cannot be undone in a process)."""

from __future__ import annotations

import builtins
import os
import sys
import types

import pytest

from d2lcoach.sandbox.runtime import routines


def _module_with_closures(name: str) -> types.ModuleType:
    """A module whose functions close over 0 to 6 variables (a code object may only be replaced by one
    with as many free variables)."""
    module = types.ModuleType(name)
    source = "def plain(x):\n    return x\n"
    for free in range(1, 7):
        cells = [f"c{i}" for i in range(free)]
        source += (f"def make{free}():\n" + "".join(f"    {c} = {i}\n" for i, c in enumerate(cells))
                   + f"    def inner(x):\n        return x + {' + '.join(cells)}\n    return inner\n"
                   + f"closed{free} = make{free}()\n")
    exec(compile(source, name, "exec"), module.__dict__)
    return module


@pytest.fixture
def victims():
    module = _module_with_closures("_d2lcoach_test_victims")
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_a_switched_off_routine_writes_its_evidence_and_raises(victims):
    names = ["_d2lcoach_test_victims.plain"] + [f"_d2lcoach_test_victims.closed{n}" for n in range(1, 7)]
    read, write = os.pipe()
    try:
        assert routines.disable(names, write) == len(names)
        for name in names:
            with pytest.raises(RuntimeError, match=rf"{name} is switched off in this exercise"):
                getattr(victims, name.rsplit(".", 1)[1])(1)
        os.close(write)
        lines = os.read(read, 1 << 16).decode().splitlines()
    finally:
        os.close(read)
    assert lines == [routines.PREFIX + name for name in names]


def test_the_child_copies_the_refusing_code_and_compiles_nothing(victims, monkeypatch):
    """The warm worker compiles the refusing code once per count of free variables (routines.warm);
    switching a routine off in a child then only copies it, whatever the exercise forbids."""
    routines.warm()

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled in the child")

    monkeypatch.setattr(builtins, "compile", no_compile)
    names = ["_d2lcoach_test_victims.plain"] + [f"_d2lcoach_test_victims.closed{n}" for n in range(1, 5)]
    assert routines.disable(names, None) == len(names)
    monkeypatch.undo()
    with pytest.raises(RuntimeError, match="closed4 is switched off"):
        victims.closed4(1)


def test_the_decompositions_are_read_once_per_state_of_the_tables(monkeypatch):
    """The warm worker reads torch's decomposition tables before it forks; a child reuses what it read
    while the tables are as they were, and reads them again when one has grown (meta's warm-up)."""
    def op_a(x):
        return x

    def op_b(x):
        return x

    class Op:
        def __init__(self, name):
            self._name = name

        def name(self):
            return self._name

    tables = {"post_autograd": {Op("aten::a"): op_a}}
    monkeypatch.setitem(sys.modules, "torch._decomp", types.SimpleNamespace(global_decomposition_table=tables))
    monkeypatch.setattr(routines, "_REGISTERED", [])
    first = routines._decompositions()
    assert first == {op_a: {"aten::a"}} and routines._decompositions() is first
    tables["meta"] = {Op("aten::b"): op_b, Op("aten::a"): op_a}
    again = routines._decompositions()
    assert again is not first and again == {op_a: {"aten::a"}, op_b: {"aten::b"}}
    assert routines._python_references([], {"aten::b"}) == [op_b]  # registered only for a forbidden operator
