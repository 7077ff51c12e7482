"""The static check: a submission's syntax tree against the exercise's allowed imports and forbidden routines.

Also the code policy (policy.py): no private attributes but the submission's own, no
getattr/eval/globals and the like, no module reached through another. The policy is one of the two
walls around forbidden routines (the other is the child's switched-off kernels); the name checks
give the clearest message: the line and the name.
"""

from __future__ import annotations

import ast
import dataclasses

from d2lcoach.course import Exercise
from d2lcoach.grading.policy import check_policy


@dataclasses.dataclass
class StaticFinding:
    check: str  # "syntax", "imports", "forbidden routine" or "code rules"
    message: str


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def check_source(source: str, filename: str, exercise: Exercise, policy: bool = True) -> list[StaticFinding]:
    """Return every problem found; an empty list means the code may run. `policy=False` leaves out the
    code policy (the hostile suite does, to prove the sandbox's own walls)."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        return [StaticFinding("syntax", f"{filename}, {where}: {exc.msg}")]
    except ValueError as exc:  # e.g. null bytes
        return [StaticFinding("syntax", f"{filename}: {exc}")]
    except (RecursionError, MemoryError):
        return [StaticFinding("syntax", f"{filename}: the code is nested too deeply to read")]
    findings: list[StaticFinding] = []
    allowed = set(exercise.allowed_imports)
    aliases: dict[str, str] = {}  # local name -> dotted module path
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top not in allowed:
                    findings.append(StaticFinding(
                        "imports", f"line {node.lineno}: `import {alias.name}` is not allowed here "
                        f"(allowed: {', '.join(sorted(allowed))})"))
                aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            top = module.split(".")[0]
            if node.level or top not in allowed:
                shown = "." * node.level + module
                findings.append(StaticFinding(
                    "imports", f"line {node.lineno}: `from {shown} import ...` is not allowed here "
                    f"(allowed: {', '.join(sorted(allowed))})"))
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
    forbidden_names = set(exercise.forbidden.names)
    forbidden_attrs = set(exercise.forbidden.attributes)
    seen: set[tuple[int, str]] = set()

    def flag(lineno: int, what: str):
        if (lineno, what) not in seen:
            seen.add((lineno, what))
            findings.append(StaticFinding(
                "forbidden routine", f"line {lineno}: `{what}` is the routine this exercise asks you to "
                f"write yourself (D2L {exercise.section}); implement it with other tensor operations"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in forbidden_attrs:
            flag(node.lineno, _dotted(node) or node.attr)
        elif isinstance(node, ast.Name):
            full = aliases.get(node.id)
            if full and (full in forbidden_names or full.split(".")[-1] in forbidden_attrs):
                flag(node.lineno, node.id)
        elif isinstance(node, ast.alias):
            pass
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in forbidden_attrs or node.value in forbidden_names:
                flag(node.lineno, repr(node.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in forbidden_names or alias.name in forbidden_attrs:
                    flag(node.lineno, full)
    if policy:
        findings += [StaticFinding("code rules", f"line {line}: {text}")
                     for line, text in check_policy(tree, exercise.allowed_imports)]
    return findings
