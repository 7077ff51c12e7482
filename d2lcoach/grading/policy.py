"""The code policy: what a submission may write, checked on its syntax tree in the trusted parent.

Learner code runs in the same process as the grading harness, so anything it can name it can
change. The policy keeps it to public tensor code: no private attributes (`_x`, `__x__`), none of
Python's doors to its own machinery (getattr, eval, globals, frames, ...), no module reached through
another (`torch.sys`), and none of the few public corners that load code, files or raw memory. A
module is used only as `module.name`; chains on modules are resolved here, on the real modules.

Why not RestrictedPython: its compile-time checks cover only underscore names; everything else
(getattr, builtins, module attributes) it leaves to guard functions called at run time inside the
learner's process, and it refuses `super().__init__`. We reuse its list of frame and code attributes.
"""

from __future__ import annotations

import ast
import importlib
import string
import sys
import types
import warnings

from RestrictedPython.transformer import INSPECT_ATTRIBUTES

#: Private names a learner legitimately writes, each with the reason it is safe.
ALLOWED_PRIVATE = {
    "super().__init__": "an nn.Module subclass must call its parent's constructor; super() reaches only "
                        "the learner's own class",
    "__name__": "`if __name__ == \"__main__\":` guards a learner's own quick test; it is a plain string",
}

#: Built-in functions that reach Python's machinery.
REFUSED_BUILTINS = {
    "getattr": "reaches attributes by a name built at run time", "setattr": "changes objects by name",
    "delattr": "changes objects by name", "eval": "runs code from a string", "exec": "runs code from a string",
    "compile": "builds code from a string", "globals": "reaches the module's machinery",
    "locals": "reaches the caller's variables", "vars": "reaches an object's internals",
    "open": "reads and writes files", "breakpoint": "starts a debugger", "help": "runs the documentation tool",
    "memoryview": "reaches raw memory",
}

#: Modules (and everything under them) a submission may not use, though their package is allowed.
REFUSED_MODULES = {
    "torch.utils": "holds tooling, not tensor maths (timers that run code strings, C++ builds)",
    "torch.hub": "downloads and runs code", "torch.package": "loads code from archives",
    "torch.jit": "compiles and loads code", "torch.fx": "generates code", "torch.export": "compiles code",
    "torch.compiler": "compiles code", "torch.onnx": "exports files", "torch.profiler": "writes files",
    "torch.library": "defines operators", "torch.ops": "reaches raw operators; call the torch functions instead",
    "torch.classes": "loads libraries", "torch.overrides": "intercepts torch calls, the grader's too",
    "torch.multiprocessing": "starts processes", "torch.distributed": "opens connections",
    "torch.serialization": "reads and writes files",
    "numpy.ctypeslib": "reaches raw memory", "numpy.lib": "reads files and raw memory",
    "numpy.f2py": "builds code", "numpy.distutils": "builds code", "numpy.testing": "builds code",
}

#: Single public functions with the same powers.
REFUSED_OBJECTS = {
    "torch.load": "reads pickles, which can run code", "torch.save": "writes files",
    "torch.from_file": "reads files", "torch.compile": "compiles code",
    "numpy.load": "reads pickles, which can run code", "numpy.save": "writes files",
    "numpy.savez": "writes files", "numpy.savez_compressed": "writes files", "numpy.savetxt": "writes files",
    "numpy.loadtxt": "reads files", "numpy.genfromtxt": "reads files", "numpy.fromfile": "reads files",
    "numpy.fromregex": "reads files", "numpy.memmap": "maps files",
    "typing.get_type_hints": "runs code written in strings", "typing.ForwardRef": "runs code written in strings",
}

#: Attributes refused on any object: frames and code (RestrictedPython's list), files, raw memory.
REFUSED_ATTRIBUTES = dict.fromkeys(INSPECT_ATTRIBUTES, "reaches running code (frames, tracebacks)") | {
    "tofile": "writes files", "dump": "writes pickles", "dumps": "writes pickles",
    "ctypes": "reaches raw memory", "from_file": "reads files", "fromfile": "reads files",
}

#: Methods Python or torch call behind the code's back: defining them is refused.
REFUSED_METHODS = ("__torch_function__", "__torch_dispatch__", "__del__", "__getattr__", "__getattribute__",
                   "__setattr__", "__delattr__", "__init_subclass__", "__set_name__", "__class_getitem__",
                   "__reduce__", "__reduce_ex__")

_MISSING = object()


def _under(name: str, prefixes) -> str | None:
    for prefix in prefixes:
        if name == prefix or name.startswith(prefix + "."):
            return prefix
    return None


def _lookup(obj, attr: str):
    """obj.attr on a module or class, without running anything but the module's own lazy imports."""
    with warnings.catch_warnings():  # e.g. numpy.core's deprecation: the learner's problem, not the grader's
        warnings.simplefilter("ignore")
        return _lookup_quietly(obj, attr)


def _lookup_quietly(obj, attr: str):
    if isinstance(obj, types.ModuleType):
        found = obj.__dict__.get(attr, _MISSING)
        if found is _MISSING:
            found = sys.modules.get(f"{getattr(obj, '__name__', '')}.{attr}", _MISSING)
        if found is not _MISSING:
            return found
    if isinstance(obj, (types.ModuleType, type)):
        try:
            return getattr(obj, attr)
        except Exception:  # noqa: BLE001 - a missing attribute fails in the sandbox, not here
            return _MISSING
    return _MISSING


def _import(name: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - the sandbox reports the import error
        return _MISSING


class _Policy:
    def __init__(self, tree: ast.AST, allowed_imports):
        self.tree = tree
        self.allowed = set(allowed_imports)
        self.findings: list[tuple[int, str]] = []
        self.modules: dict[str, list] = {}  # local name -> the modules it may hold
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self._denied = None
        self.refused: set[ast.AST] = set()

    def refuse(self, node: ast.AST, text: str):
        self.findings.append((getattr(node, "lineno", 0), text))

    # ------------------------------------------------------------------ resolving names

    def denied_objects(self) -> dict[int, tuple[str, str]]:
        if self._denied is None:
            self._denied = {}
            for dotted, why in REFUSED_OBJECTS.items():
                module, _, attr = dotted.rpartition(".")
                if module.split(".")[0] in self.allowed:
                    found = _import(module)
                    value = _lookup(found, attr) if found is not _MISSING else _MISSING
                    if value is not _MISSING:
                        self._denied[id(value)] = (dotted, why)
        return self._denied

    def judge_value(self, node: ast.AST, shown: str, value) -> bool:
        """Refuse a value a chain reached; True when it was refused."""
        if isinstance(value, types.ModuleType):
            name = str(getattr(value, "__name__", ""))
            if name.split(".")[0] not in self.allowed:
                self.refuse(node, f"`{shown}` reaches the module `{name}`, which this exercise does not let you "
                            "import")
                return True
            prefix = _under(name, REFUSED_MODULES)
            if prefix:
                self.refuse_use(node, shown, prefix, REFUSED_MODULES[prefix])
                return True
            return False
        denied = self.denied_objects().get(id(value))
        if denied:
            self.refuse_use(node, shown, *denied)
            return True
        return False

    def refuse_use(self, node: ast.AST, shown: str, what: str, why: str):
        if shown == what:
            self.refuse(node, f"`{shown}` is not allowed in a submission: it {why}")
        else:
            self.refuse(node, f"`{shown}` is not allowed in a submission: `{what}` {why}")

    def resolve(self, node: ast.AST):
        """The objects an expression made of a module name and attributes may be; [] when unknown."""
        if isinstance(node, ast.Name):
            return self.modules.get(node.id, [])
        if isinstance(node, ast.Attribute):
            found = []
            for base in self.resolve(node.value):
                value = _lookup(base, node.attr)
                if value is not _MISSING:
                    found.append(value)
            return found
        return []

    def bind_imports(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] not in self.allowed or self.private_import(node, alias.name):
                        continue  # the imports check refuses the first
                    full = _import(alias.name)
                    if self.judge_value(node, alias.name, full):
                        continue
                    module = full if alias.asname else _import(alias.name.split(".")[0])
                    if module is not _MISSING:
                        self.modules.setdefault(alias.asname or alias.name.split(".")[0], []).append(module)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                if node.module.split(".")[0] not in self.allowed:
                    continue
                if self.private_import(node, node.module) or any(
                        self.private_import(node, f"{node.module}.{a.name}") for a in node.names):
                    continue
                module = _import(node.module)
                if module is _MISSING:
                    continue
                self.judge_value(node, node.module, module)
                for alias in node.names:
                    value = _lookup(module, alias.name)
                    if value is _MISSING:
                        value = _import(f"{node.module}.{alias.name}")
                    if value is _MISSING:
                        continue
                    if not self.judge_value(node, f"{node.module}.{alias.name}", value) and \
                            isinstance(value, types.ModuleType):
                        self.modules.setdefault(alias.asname or alias.name, []).append(value)

    def private_import(self, node: ast.AST, dotted: str) -> bool:
        if any(part.startswith("_") for part in dotted.split(".")):
            self.refuse(node, f"`{dotted}` is private (a name starting with `_`): use the public tensor operations")
            return True
        return False

    def bind_assignments(self):
        """`F = torch.nn.functional` makes F a module name too (to a fixed point)."""
        for _ in range(4):
            changed = False
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
                    for value in self.resolve(node.value):
                        if isinstance(value, types.ModuleType):
                            for target in node.targets:
                                held = self.modules.setdefault(target.id, [])
                                if all(value is not v for v in held):
                                    held.append(value)
                                    changed = True
            if not changed:
                return

    # ------------------------------------------------------------------ the rules

    def check(self):
        self.bind_imports()
        self.bind_assignments()
        nodes = list(ast.walk(self.tree))
        for node in reversed(nodes):  # inner attributes before the chains that hold them
            if isinstance(node, ast.Attribute):
                self.check_attribute(node)
        for node in nodes:
            if isinstance(node, ast.Name):
                self.check_name(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name in REFUSED_METHODS:
                    self.refuse(node, f"defining `{node.name}` hooks into Python or torch behind the grader's back")
                for annotation in [a.annotation for a in ast.walk(node.args) if isinstance(a, ast.arg)] + [node.returns]:
                    self.check_annotation(annotation)
            elif isinstance(node, ast.AnnAssign):
                self.check_annotation(node.annotation)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                self.check_format(node)
        return self.findings

    def check_attribute(self, node: ast.Attribute):
        attr = node.attr
        if attr.startswith("_"):
            call = node.value
            if not (attr == "__init__" and isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    and call.func.id == "super" and not call.args and not call.keywords):
                self.refuse(node, f"`.{attr}` is private (its name starts with `_`): use the public tensor "
                            "operations")
                self.refused.add(node)
                return
        if attr in REFUSED_ATTRIBUTES:
            self.refuse(node, f"`.{attr}` {REFUSED_ATTRIBUTES[attr]}")
            self.refused.add(node)
            return
        if node.value in self.refused:
            self.refused.add(node)  # its inner part was refused already: one message per chain
            return
        if isinstance(node.ctx, (ast.Store, ast.Del)) and any(
                isinstance(v, (types.ModuleType, type)) for v in self.resolve(node.value)):
            self.refuse(node, f"`{ast.unparse(node)}` belongs to the library: changing it changes it for all code "
                        "in the process, the grader's too; give your own values your own names")
            self.refused.add(node)
            return
        held = self.resolve(node)
        shown = ast.unparse(node)
        for value in held:
            if self.judge_value(node, shown, value):
                self.refused.add(node)
                return
        if any(isinstance(v, types.ModuleType) for v in held):
            self.check_module_use(node, shown)
        elif isinstance(node.value, ast.Name) or isinstance(node.value, ast.Attribute):
            # A chain that the parent cannot resolve is still judged by its spelled-out name.
            dotted = self.spelled(node)
            if dotted:
                prefix = _under(dotted, REFUSED_MODULES) or _under(dotted, REFUSED_OBJECTS)
                if prefix:
                    self.refuse_use(node, shown, prefix, REFUSED_MODULES.get(prefix) or REFUSED_OBJECTS[prefix])
                    self.refused.add(node)

    def spelled(self, node: ast.AST) -> str | None:
        """`F.x` spelled with the module's real name (`torch.nn.functional.x`), when the root is a module."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.modules:
            return None
        return ".".join([self.modules[node.id][0].__name__] + list(reversed(parts)))

    def check_name(self, node: ast.Name):
        name = node.id
        if name.startswith("__") and not (name == "__name__" and isinstance(node.ctx, ast.Load)):
            self.refuse(node, f"`{name}` is Python's internal machinery")
        elif name in REFUSED_BUILTINS:
            self.refuse(node, f"`{name}` is not allowed in a submission: it {REFUSED_BUILTINS[name]}")
        elif name in self.modules and isinstance(node.ctx, ast.Load):
            self.check_module_use(node, name)

    def check_module_use(self, node: ast.AST, shown: str):
        """A module may be the root of an attribute chain or be given a second name, nothing else."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return
        if isinstance(parent, ast.Assign) and parent.value is node and all(
                isinstance(t, ast.Name) for t in parent.targets):
            return
        self.refuse(node, f"`{shown}` is a module: use it as `{shown}.<name>`, not as a value")

    def check_annotation(self, annotation):
        if annotation is None:
            return
        for node in ast.walk(annotation):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                self.refuse(node, "write annotations as expressions (torch.Tensor), not strings: typing tools "
                            "run the code in such strings")
                return

    def check_format(self, node: ast.Constant):
        if "{" not in node.value:
            return
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(node.value) if f]
        except ValueError:
            return
        if any("." in f or "[" in f for f in fields):
            self.refuse(node, "a format string may not reach attributes or items ('{0.x}', '{0[k]}'): use an "
                        "f-string")


def check_policy(tree: ast.AST, allowed_imports) -> list[tuple[int, str]]:
    """(line, message) for every place `tree` breaks the policy, in line order, each once."""
    found = _Policy(tree, allowed_imports).check()
    return sorted(set(found))
