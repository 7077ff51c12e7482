"""Learner code in Jupyter notebooks, read statically: an exercise's functions out of the code cells.

No cell runs. From the code cells, in order, the last top-level definition of each name wins (as it
would in a kernel that ran every cell once); the exercise's functions are taken with the imports,
functions, classes and simple constant assignments that they use, directly or through each other.
Anything else (a cell that downloads a data set, a training loop) is left out. Messages about the
extracted module name the notebook's cell and line, not a line of a hidden file.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

from d2lcoach.learner import files as learner_files
from d2lcoach.errors import UsageError

#: Notebooks carry outputs (plots, tables), so they may be larger than a .py submission.
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
NOTEBOOK_SUFFIX = ".ipynb"
_LINE = re.compile(r"\bline (\d+)")


@dataclasses.dataclass(frozen=True)
class Extracted:
    """The module graded for a notebook, and where each of its lines came from."""

    source: str
    origins: tuple[tuple[int, int], ...]  # per line of `source`: (cell number, line in that cell), 1-based
    cells: tuple[int, ...]  # the cells it took code from

    def where(self, line: int) -> str | None:
        if 1 <= line <= len(self.origins) and self.origins[line - 1][0]:
            cell, at = self.origins[line - 1]
            return f"cell {cell}, line {at}"
        return None

    def relabel(self, text: str | None) -> str | None:
        """Rewrite `line N` of the extracted module as `cell C, line L` of the notebook."""
        if not text:
            return text
        return _LINE.sub(lambda m: self.where(int(m.group(1))) or m.group(0), text)


def is_notebook(path: Path | str) -> bool:
    return Path(path).suffix.lower() == NOTEBOOK_SUFFIX


def read_code_cells(path: Path | str, within: Path | str | None = None) -> list[str | None]:
    """The notebook's cells in order: the code of each code cell, None for other cells.

    Every problem is a one-line UsageError naming the file; a link, a FIFO or a path leading out of
    `within` (the student's folder) is refused (see learner_files)."""
    path = Path(path)
    raw = learner_files.read_bytes(path, within=within, limit=MAX_NOTEBOOK_BYTES, what="a notebook")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise UsageError(f"{path}: not a notebook (not valid JSON)") from None
    return cells_of(data, path)


def cells_of(data, path: Path | str = "notebook") -> list[str | None]:
    """The code of each cell of a parsed notebook (nbformat 4), None for markdown and raw cells."""
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise UsageError(f"{path}: not a Jupyter notebook (no list of cells; nbformat 4 is expected)")
    out: list[str | None] = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            out.append(None)
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise UsageError(f"{path}: a code cell's source is neither text nor a list of lines")
        out.append(source)
    return out


def plain_python(cell: str) -> str:
    """A cell's code with IPython syntax neutralised, line for line (line numbers stay the same).

    A cell magic (`%%time`) makes the whole cell IPython's; line magics, shell escapes and `?` help
    become `pass` at their indentation."""
    lines = cell.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n" * len(lines)
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")
                                               and "=" not in stripped and "(" not in stripped):
            out.append(line[:len(line) - len(stripped)] + "pass")
        else:
            out.append(line)
    return "\n".join(out)


@dataclasses.dataclass
class _Binding:
    cell: int  # index into the cells list
    order: int  # position among the cell's statements
    node: ast.stmt
    text: str
    first_line: int  # in the cell, 1-based
    needs: frozenset[str]


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


_SIMPLE = (ast.Constant, ast.Name, ast.Attribute, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp,
           ast.BinOp, ast.Load, ast.operator, ast.unaryop, ast.keyword)


def _simple_value(node: ast.AST) -> bool:
    """An expression that computes nothing heavy: literals, names, attributes and arithmetic on them."""
    return all(isinstance(n, _SIMPLE) for n in ast.walk(node))


def _bound_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"]
    if isinstance(stmt, ast.Assign) and _simple_value(stmt.value) and all(
            isinstance(t, ast.Name) for t in stmt.targets):
        return [t.id for t in stmt.targets]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None \
            and _simple_value(stmt.value):
        return [stmt.target.id]
    return []


def extract(cells: list[str | None], functions: list[str] | tuple[str, ...],
            path: Path | str = "notebook") -> Extracted:
    """The module of `functions` and what they use, from the notebook's code cells.

    A notebook that defines none of them is a UsageError. A cell that does not parse is left out,
    unless it is the only place one of `functions` is defined: then that cell is graded as it is, so
    the learner sees its syntax error (with its cell and line)."""
    last: dict[str, _Binding] = {}
    broken: dict[str, int] = {}  # function -> the unparsable cell that defines it
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        code = plain_python(cell)
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            for name in functions:
                if re.search(rf"^\s*(async\s+)?def\s+{re.escape(name)}\b", cell, re.M):
                    broken[name] = index
            continue
        code_lines = code.splitlines()  # once per cell: per statement, a big cell made this quadratic
        for order, stmt in enumerate(tree.body):
            names = _bound_names(stmt)
            if not names:
                continue
            first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
            text = "\n".join(code_lines[first - 1:stmt.end_lineno])
            needs = frozenset() if isinstance(stmt, (ast.Import, ast.ImportFrom)) else frozenset(_names_used(stmt))
            binding = _Binding(index, order, stmt, text, first, needs)
            for name in names:
                last[name] = binding
    for name, index in broken.items():
        if name not in last or last[name].cell < index:  # the broken cell is the latest definition
            code = plain_python(cells[index])
            lines = code.splitlines()
            return Extracted(code, tuple((index + 1, i + 1) for i in range(len(lines))), (index + 1,))
    found = [name for name in functions if name in last]
    if not found:
        raise UsageError(f"{path}: no code cell defines {', '.join(functions)}")
    chosen: dict[int, _Binding] = {}
    todo = list(found)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in last:
            continue
        seen.add(name)
        binding = last[name]
        chosen[id(binding)] = binding
        todo.extend(binding.needs - seen)
    source_lines: list[str] = []
    origins: list[tuple[int, int]] = []
    for binding in sorted(chosen.values(), key=lambda b: (b.cell, b.order)):
        if source_lines:
            source_lines.append("")
            origins.append((0, 0))
        for offset, line in enumerate(binding.text.splitlines()):
            source_lines.append(line)
            origins.append((binding.cell + 1, binding.first_line + offset))
    cells_used = tuple(sorted({b.cell + 1 for b in chosen.values()}))
    return Extracted("\n".join(source_lines) + "\n", tuple(origins), cells_used)


def extract_file(path: Path | str, functions, within: Path | str | None = None) -> Extracted:
    return extract(read_code_cells(path, within), functions, path)


# --------------------------------------------------------------------------- writing a task notebook

def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": text}


def task_notebook(*, exercise_id: str, title: str, chapter: str, section: str, link: str, summary: str,
                  signature: list[str], stub: str, hints_command: str) -> dict:
    """An exercise as a notebook (nbformat 4): the task in markdown, the stub, and a check cell."""
    task = [f"# {exercise_id}: {title}", "", f"{chapter}, D2L {section}. Read: <{link}>", ""]
    if summary:
        task += [summary, ""]
    task += ["Write:", "", "```python", *signature, "```", "",
             "Fill in the code cell below, run it, then run the check cell. Only the cells that define "
             "the exercise's functions (and the imports and helpers they use) are graded; no other cell "
             f"runs in the grader. Stuck? `{hints_command}`."]
    cells = [_markdown("\n".join(task)), _code(stub.rstrip() + "\n"),
             _code(f"%load_ext d2lcoach\n%d2lcoach check {exercise_id}")]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                         "name": "python3"},
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 4}


def relabel_result(result, extracted: Extracted):
    """A CheckResult whose messages name the notebook's cells instead of the extracted module's lines."""
    result.error = extracted.relabel(result.error)
    for check in result.checks:
        check.message = extracted.relabel(check.message)
    return result
