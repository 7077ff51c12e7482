"""The code policy: what a submission may write, checked on its syntax tree in the trusted parent.

Learner code runs in the same process as the grading harness, so anything it can name it can
change. The policy keeps it to public tensor code: no private attributes of anything but the
submission's own (`x._version`, `__class__`), none of Python's doors to its own machinery (getattr,
eval, globals, frames, ...), no module reached through another (`torch.sys`), and none of the few
public corners that load code, files or raw memory. A module is used only as `module.name`; chains
on modules are resolved here, on the real modules.

A submission's own private names stay allowed: module-level `_helper`, and `self._x` inside a method
when `self` is provably the method's instance parameter and `_x` is a name the submission defines
that no torch tensor, module or base class uses. The sandbox, not this check, is the wall: a method
called through its class with a foreign object (`Cls.m(obj)`) is contained there (tests/hostile/).

Why not RestrictedPython: its compile-time checks cover only underscore names; everything else
(getattr, builtins, module attributes) it leaves to guard functions called at run time inside the
learner's process, and it refuses `super().__init__`. We reuse its list of frame and code attributes.
"""

from __future__ import annotations

import ast
import functools
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
    "super(Cls, self).__init__": "the same call in the book's (and its Chinese edition's) spelling; allowed "
                                 "only inside a method of Cls, a class the submission defines once, with "
                                 "the method's own instance parameter",
    "self._x": "a submission's own private attribute or method, on the instance parameter of a plain method, "
               "when no torch tensor, module or base class has a private name `_x`",
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


def _is_own_private(attr: str) -> bool:
    """`_x`: one leading underscore, the spelling of a submission's own private name (not `__x`)."""
    return attr.startswith("_") and not attr.startswith("__") and attr != "_"


@functools.lru_cache(maxsize=8)
def _library_private_names(allowed: tuple[str, ...]) -> frozenset[str]:
    """Private names (`_x`) that the allowed modules, tensors and nn.Module instances have themselves."""
    names: set[str] = set()

    def add(names_of):
        names.update(n for n in names_of if _is_own_private(n))

    for top in allowed:
        module = _import(top)
        if module is not _MISSING:
            add(dir(module))
    if "torch" in allowed:
        torch = _import("torch")
        if torch is not _MISSING:
            for cls in (torch.Tensor, torch.nn.Parameter, torch.nn.Module):
                add(dir(cls))
                for klass in cls.__mro__:
                    add(getattr(klass, "__annotations__", {}))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                add(vars(torch.nn.Module()))
    return frozenset(names)


def _bound_names(node: ast.AST) -> list[str]:
    """The names `node` itself binds: a parameter, an assignment target, a definition, an import, ..."""
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return [node.name] if node.name else []
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    return []


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
        self.binders: dict[str, list[ast.AST]] = {}  # name -> every node that binds it, anywhere
        for node in ast.walk(tree):
            for name in _bound_names(node):
                self.binders.setdefault(name, []).append(node)
        self._own: tuple[set[str], set[str], set[ast.ClassDef]] | None = None
        self._scope_binders: dict[tuple[int, str], list[ast.AST]] = {}  # one walk per scope and name
        self._body_ids: dict[int, set[int]] = {}

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

    # ------------------------------------------------------------------ the submission's own private names

    def instance_method(self, node: ast.Name) -> tuple[ast.FunctionDef, ast.ClassDef] | None:
        """The (method, class) whose instance parameter the name `node` provably is; None when not proven.

        Proven: by Python's scoping the name resolves to the first parameter of a function written
        directly in a class body, without decorators (but @property and its setter), and nothing in
        that method (or anywhere, for global/nonlocal) binds the name again."""
        name = node.id
        if any(isinstance(b, (ast.Global, ast.Nonlocal)) for b in self.binders.get(name, [])):
            return None
        child, scope = node, self.parents.get(node)
        while scope is not None:
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and self.in_body(child, scope):
                binders = self.binders_in(scope, name)
                params = [a for a in scope.args.posonlyargs + scope.args.args]
                if params and params[0].arg == name and binders == [params[0]]:
                    return self.plain_method(scope)
                if binders:
                    return None  # a parameter or a local of a function that is not a method, or rebound
            elif isinstance(scope, ast.ClassDef) and self.in_body(child, scope):
                return None  # a class body: the name is not a method's parameter
            elif isinstance(scope, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) and any(
                    name in _bound_names(n) for g in scope.generators for n in ast.walk(g.target)):
                return None
            child, scope = scope, self.parents.get(scope)
        return None

    def in_body(self, child: ast.AST, scope: ast.AST) -> bool:
        """Whether `child` is a statement of `scope`'s body (not a decorator, default or base)."""
        if id(scope) not in self._body_ids:
            body = scope.body if isinstance(scope.body, list) else [scope.body]
            self._body_ids[id(scope)] = {id(n) for n in body}
        return id(child) in self._body_ids[id(scope)]

    def binders_in(self, scope: ast.AST, name: str) -> list[ast.AST]:
        """Every node inside `scope` (nested scopes too) that binds `name`."""
        key = (id(scope), name)
        if key not in self._scope_binders:
            self._scope_binders[key] = [n for n in ast.walk(scope) if n is not scope and name in _bound_names(n)]
        return self._scope_binders[key]

    def plain_method(self, function) -> tuple[ast.FunctionDef, ast.ClassDef] | None:
        cls = self.parents.get(function)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not isinstance(cls, ast.ClassDef) \
                or not self.in_body(function, cls):
            return None
        for decorator in function.decorator_list:
            if isinstance(decorator, ast.Name) and decorator.id == "property" and "property" not in self.binders:
                continue
            if isinstance(decorator, ast.Attribute) and decorator.attr in ("setter", "getter", "deleter") and \
                    isinstance(decorator.value, ast.Name) and self.is_property(cls, decorator.value.id):
                continue
            return None
        return function, cls

    def is_property(self, cls: ast.ClassDef, name: str) -> bool:
        """Whether `name` in the class body is only ever a @property (and its setter and deleter)."""
        bound = [n for n in cls.body if name in _bound_names(n)]
        return bool(bound) and all(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in bound) and any(
            isinstance(d, ast.Name) and d.id == "property" for d in bound[0].decorator_list) and \
            "property" not in self.binders

    def own_names(self) -> tuple[set[str], set[str], set[ast.ClassDef]]:
        """(the `_x` names the submission defines on its classes and instances, the private names of
        the library classes it inherits from, the classes whose bases this check cannot see)."""
        if self._own is None:
            own, inherited, unseen = set(), set(), set()
            classes = {n.name for n in ast.walk(self.tree) if isinstance(n, ast.ClassDef)}
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                        _is_own_private(node.attr) and isinstance(node.value, ast.Name) and \
                        self.instance_method(node.value):
                    own.add(node.attr)
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        targets = item.targets if isinstance(item, ast.Assign) else \
                            [item.target] if isinstance(item, ast.AnnAssign) else []
                        own.update(n for n in _bound_names(item) if _is_own_private(n))  # def _f, class _C
                        own.update(n for target in targets for t in ast.walk(target) for n in _bound_names(t)
                                   if _is_own_private(n))
                    if node.keywords:
                        unseen.add(node)
                    for base in node.bases:
                        if isinstance(base, ast.Name) and (base.id in classes or base.id == "object") and \
                                base.id not in self.modules and (base.id != "object" or "object" not in self.binders):
                            continue
                        found = [v for v in self.resolve(base) if isinstance(v, type)]
                        if not found:
                            unseen.add(node)
                        for value in found:
                            for klass in value.__mro__:
                                inherited.update(n for n in vars(klass) if _is_own_private(n))
                                inherited.update(n for n in getattr(klass, "__annotations__", {}) if _is_own_private(n))
            self._own = own, inherited, unseen
        return self._own

    def allowed_super_init(self, node: ast.Attribute) -> bool:
        """`super().__init__` or `super(Cls, self).__init__` inside a method of Cls."""
        call = node.value
        if node.attr != "__init__" or not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or \
                call.func.id != "super" or call.keywords or "super" in self.binders:
            return False
        if not call.args:
            return True
        if len(call.args) != 2 or not all(isinstance(a, ast.Name) for a in call.args):
            return False
        found = self.instance_method(call.args[1])
        return found is not None and call.args[0].id == found[1].name and \
            self.binders.get(found[1].name) == [found[1]]

    def private_refusal(self, node: ast.Attribute) -> str | None:
        """None when `node` (`x._y` or `x.__y__`) is allowed; otherwise the one-line reason and the way out."""
        attr = node.attr
        if self.allowed_super_init(node):
            return None
        if attr == "__init__":
            return ("`.__init__` is Python's machinery: call your parent class's constructor as "
                    "`super().__init__(...)`, or `super(YourClass, self).__init__(...)` inside YourClass's methods")
        if not _is_own_private(attr):
            return (f"`.{attr}` is Python's internal machinery (a name starting with `__`); for a private name of "
                    "your own use one underscore (`self._x`)")
        where = ast.unparse(node.value) if isinstance(node.value, ast.Name) else "..."
        found = self.instance_method(node.value) if isinstance(node.value, ast.Name) else None
        if found is None:
            return (f"`{where}.{attr}` is private (its name starts with `_`): a submission may use only its own "
                    "private names, on `self` inside a plain method of its class (`self._x`) or at module level "
                    "(`_x`); for library objects use the public tensor operations")
        own, inherited, unseen = self.own_names()
        if found[1] in unseen:
            return (f"`{where}.{attr}` is private and class `{found[1].name}` inherits from a base this check "
                    "cannot see: inherit from a class named directly (nn.Module) or give the attribute a public name")
        if attr in inherited or attr in _library_private_names(tuple(sorted(self.allowed))):
            return (f"`{where}.{attr}` is private state of torch or Python (`{attr}` is a name the library uses): "
                    f"give your own attribute another name, e.g. `{where}._my{attr}`")
        if attr not in own:
            return (f"`{where}.{attr}` is private and your code never defines `{attr}` (as `{where}.{attr} = ...` "
                    "or in the class body): only your own private names are allowed")
        return None

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
            why = self.private_refusal(node)
            if why:
                self.refuse(node, why)
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
