"""Small AST mutants of a reference solution, each with a stable key, for mutation analysis of a grader.

We write the mutator ourselves: mutmut and cosmic-ray mutate a whole project and judge each mutant by
running a test command (pytest) against files rewritten on disk, one process per mutant; neither
hands back a mutant as source text for our warm sandbox pool to grade, and neither is installed.

A mutant is identified by its key: the operator, the changed line(s) of the original and what they
became, all as `ast.unparse` writes them (so comments, layout and line numbers do not matter), with
`#2`, `#3`... when the same edit occurs on identical lines.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import difflib

_BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
           ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.MatMult: ast.Mult, ast.BitAnd: ast.BitOr,
           ast.BitOr: ast.BitAnd}
_COMPARES = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_BOOLOPS = {ast.And: ast.Or, ast.Or: ast.And}
#: Calls whose first two arguments commute (transpose(1, 2) is transpose(2, 1); torch.max(a, b) is
#: elementwise): swapping them makes an equivalent mutant by construction, so it is not made.
_SYMMETRIC = {"transpose", "swapaxes", "swapdims", "max", "min", "maximum", "minimum", "add", "mul"}


@dataclasses.dataclass(frozen=True)
class Mutant:
    key: str  # stable identity: "operator: original -> replacement"
    operator: str
    source: str  # the whole mutated module
    diff: str  # unified diff against the (unparsed) original, no context


def _constant_replacements(value) -> list:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        return [0.0, value * 2] if value else [1.0]
    return []  # strings (messages), None, bytes: nothing a grader can see


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first))
    return found


def _module_names(tree: ast.AST) -> set[str]:
    """Names bound by imports (torch, F, math): `torch.exp(x)` unwraps to `x`, never to `torch`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def _skipped(tree: ast.Module) -> set[int]:
    """Nodes no grader can judge: type annotations, and errors raised for input outside the contract
    (a `raise`, and an `if` whose body only raises). A mutated guard *condition* is still made: it
    raises on valid input."""
    skipped: set[int] = set()

    def skip(node):
        skipped.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                        node.args.vararg, node.args.kwarg]:
                if arg is not None and arg.annotation is not None:
                    skip(arg.annotation)
            if node.returns is not None:
                skip(node.returns)
        elif isinstance(node, ast.AnnAssign):
            skip(node.annotation)
        elif isinstance(node, ast.Raise):
            skip(node)
        elif isinstance(node, ast.If) and all(isinstance(s, ast.Raise) for s in node.body) and not node.orelse:
            skipped.add(id(node))  # the guard statement itself: not deleted, not swapped
    return skipped


def _assigned_names(statement: ast.stmt) -> tuple[set[str], set[str]] | None:
    """(names bound, names read) of a statement made only of assignments to names (possibly inside
    if/for/while); None for any other statement (a call for its effect, a return, an item write...)."""
    written, read = set(), set()
    for node in ast.walk(statement):
        if isinstance(node, ast.stmt) and not isinstance(node, (ast.Assign, ast.If, ast.For, ast.While)):
            return None
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            return None
        if isinstance(node, ast.Name):
            (written if isinstance(node.ctx, ast.Store) else read).add(node.id)
    return written, read


def _independent(first: ast.stmt, second: ast.stmt) -> bool:
    """Two assignments where neither reads or rebinds a name the other binds: swapping them computes
    the same values (a call whose value is assigned is taken to be a computation, not an effect), so
    that mutant is equivalent by construction and is not made."""
    a, b = _assigned_names(first), _assigned_names(second)
    if a is None or b is None:
        return False
    return not (a[0] & (b[0] | b[1]) or b[0] & a[1])


def _sites(tree: ast.Module) -> list[tuple[int, str, object]]:
    """(index of the node in ast.walk order, operator, argument of the edit) for every mutation."""
    docstrings = _docstrings(tree)
    modules = _module_names(tree)
    skipped = _skipped(tree)
    sites = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skipped and not isinstance(node, ast.If):
            continue
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BINOPS:
            sites.append((index, "arithmetic", None))
        elif isinstance(node, ast.Compare):
            sites += [(index, "comparison", j) for j, op in enumerate(node.ops) if type(op) in _COMPARES]
        elif isinstance(node, ast.BoolOp):
            sites.append((index, "boolean", None))
        elif isinstance(node, ast.UnaryOp):
            sites.append((index, "drop unary", None))
        elif isinstance(node, ast.Constant):
            sites += [(index, "constant", v) for v in _constant_replacements(node.value)]
        elif isinstance(node, ast.Call):
            sites += [(index, "drop keyword", j) for j, kw in enumerate(node.keywords) if kw.arg is not None]
            plain = [a for a in node.args if not isinstance(a, ast.Starred)]
            if len(plain) == 1 and len(node.args) == 1:
                sites.append((index, "unwrap call", "argument"))
            if isinstance(node.func, ast.Attribute) and not (
                    isinstance(node.func.value, ast.Name) and node.func.value.id in modules):
                sites.append((index, "unwrap call", "object"))
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if len(plain) == len(node.args):
                sites += [(index, "swap arguments", j) for j in range(len(node.args) - 1)
                          if not (j == 0 and name in _SYMMETRIC)]
        if not isinstance(node, ast.Module):
            for field in ("body", "orelse", "finalbody"):
                body = getattr(node, field, None)
                if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
                    continue
                statements = [j for j, s in enumerate(body) if id(s) not in docstrings and id(s) not in skipped]
                sites += [(index, "delete statement", (field, j)) for j in statements]
                sites += [(index, "swap statements", (field, j)) for j in statements
                          if j + 1 in statements and not _independent(body[j], body[j + 1])]
    return sites


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for j, item in enumerate(value):
                    if item is old:
                        value[j] = new
                        return
    raise AssertionError("node not found")


def _apply(tree: ast.Module, index: int, operator: str, arg) -> None:
    node = list(ast.walk(tree))[index]
    if operator == "arithmetic":
        node.op = _BINOPS[type(node.op)]()
    elif operator == "comparison":
        node.ops[arg] = _COMPARES[type(node.ops[arg])]()
    elif operator == "boolean":
        node.op = _BOOLOPS[type(node.op)]()
    elif operator == "drop unary":
        _replace(tree, node, node.operand)
    elif operator == "constant":
        node.value = arg
    elif operator == "drop keyword":
        del node.keywords[arg]
    elif operator == "unwrap call":
        _replace(tree, node, node.args[0] if arg == "argument" else node.func.value)
    elif operator == "swap arguments":
        node.args[arg], node.args[arg + 1] = node.args[arg + 1], node.args[arg]
    elif operator == "delete statement":
        field, j = arg
        body = getattr(node, field)
        del body[j]
        if not body and field == "body":
            body.append(ast.Pass())
    elif operator == "swap statements":
        field, j = arg
        body = getattr(node, field)
        body[j], body[j + 1] = body[j + 1], body[j]
    else:
        raise ValueError(operator)


def _changed(original: list[str], mutated: list[str]) -> tuple[list[str], list[str], str]:
    diff = list(difflib.unified_diff(original, mutated, "reference", "mutant", n=0, lineterm=""))
    old = [line[1:].strip() for line in diff[2:] if line.startswith("-")]
    new = [line[1:].strip() for line in diff[2:] if line.startswith("+")]
    return old, new, "\n".join(diff)


def _first_line(statement: ast.stmt) -> str:
    return ast.unparse(statement).splitlines()[0].strip()


def mutants(source: str) -> list[Mutant]:
    """Every distinct mutant of `source`, in source order. Raises SyntaxError for unparsable input."""
    tree = ast.parse(source)
    original = ast.unparse(tree)
    original_lines = original.splitlines()
    seen_sources = {original}
    seen_keys: dict[str, int] = {}
    found = []
    nodes = list(ast.walk(tree))
    for index, operator, arg in _sites(tree):
        mutated_tree = copy.deepcopy(tree)
        _apply(mutated_tree, index, operator, arg)
        try:
            mutated = ast.unparse(ast.fix_missing_locations(mutated_tree))
        except (ValueError, TypeError, AttributeError):  # an edit unparse cannot write: skip it
            continue
        if mutated in seen_sources:
            continue
        seen_sources.add(mutated)
        old, new, diff = _changed(original_lines, mutated.splitlines())
        if operator in ("delete statement", "swap statements"):  # name the statements, not the diff's lines
            field, j = arg
            body = getattr(nodes[index], field)
            old = [_first_line(s) for s in body[j:j + (2 if operator == "swap statements" else 1)]]
            new = old[::-1] if operator == "swap statements" else []
        key = f"{operator}: {' ; '.join(old) or '(nothing)'} -> {' ; '.join(new) or '(deleted)'}"
        seen_keys[key] = seen_keys.get(key, 0) + 1
        if seen_keys[key] > 1:
            key += f" #{seen_keys[key]}"
        found.append(Mutant(key, operator, mutated + "\n", diff))
    return found
