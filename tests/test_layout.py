"""The layout stays true: dependencies point one way, and no import goes round in a circle.

Read from the source with `ast` (nothing is imported): every `import d2lcoach...` and
`from d2lcoach... import ...`, at the top of a module or inside a function alike, is an edge from the
module to the module it names. The layers, top to bottom (docs/architecture.md draws them):

    cli, the package's entry points       the command line; `python -m d2lcoach`; `%load_ext d2lcoach`
    learner, instructor, authoring, console   the workflows, each a library first; rendering
    grading                                the engine and its kit
    sandbox                                the one door to learner code
    course, errors, results, text, errormap   the course and plain data, text safety

A module may import its own layer or a lower one, never a higher one. Within a layer the packages
may lean on each other (the instructor reads learners' files) but never both ways: the graph of
modules and the graph of packages are both without a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import d2lcoach

PACKAGE = Path(d2lcoach.__file__).resolve().parent

#: Each top-level unit of d2lcoach and its layer; a higher number is a higher layer.
LAYERS = {
    "d2lcoach": 4, "d2lcoach.__main__": 4, "d2lcoach.cli": 4,
    "d2lcoach.learner": 3, "d2lcoach.instructor": 3, "d2lcoach.authoring": 3, "d2lcoach.console": 3,
    "d2lcoach.grading": 2,
    "d2lcoach.sandbox": 1,
    "d2lcoach.course": 0, "d2lcoach.errors": 0, "d2lcoach.results": 0, "d2lcoach.text": 0,
    "d2lcoach.errormap": 0,
}
#: At most this many modules stand directly in d2lcoach/ (the rest live in the packages).
MOST_TOP_LEVEL_MODULES = 8


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (the sandbox's runtime included)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts)
        names[name.removesuffix(".__init__")] = path
    return names


def imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The d2lcoach modules that `path` imports, anywhere in it (the package itself left out)."""
    def known(dotted: str) -> str:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {known(alias.name) for alias in node.names if alias.name.startswith("d2lcoach")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("d2lcoach"):
            for alias in node.names:  # `from d2lcoach.cli import learner` names a module
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else known(node.module))
    # `d2lcoach` itself (for __version__) is loaded before any of its modules anyway: not an edge.
    return found - {"d2lcoach", ""}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = module_files(package)
    return {name: imports(path, modules) - {name} for name, path in modules.items()}


def unit_of(module: str) -> str:
    """The entry of LAYERS a module belongs to (its top-level package or module)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each a circle of imports."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward(graph: dict[str, set[str]]) -> list[str]:
    return [f"{module} imports {other}" for module, others in sorted(graph.items()) for other in sorted(others)
            if LAYERS[unit_of(module)] < LAYERS[unit_of(other)]]


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    units: dict[str, set[str]] = {}
    for module, others in graph.items():
        units.setdefault(unit_of(module), set()).update(unit_of(o) for o in others if unit_of(o) != unit_of(module))
    return units


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_every_module_has_a_layer(graph):
    assert sorted({unit_of(m) for m in graph} - set(LAYERS)) == []


def test_no_module_imports_a_higher_layer(graph):
    assert upward(graph) == []


def test_no_circle_of_modules(graph):
    assert circles(graph) == []


def test_no_circle_of_packages(graph):
    assert circles(package_graph(graph)) == []


def test_the_cli_context_imports_no_command(graph):
    assert sorted(m for m in graph["d2lcoach.cli.context"] if m.startswith("d2lcoach.cli")) == []


def test_few_modules_stand_directly_in_the_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MOST_TOP_LEVEL_MODULES, top


def test_the_checks_see_what_they_must_refuse(tmp_path):
    """The checks themselves: a circle, an upward import and a package loop are each found."""
    package = tmp_path / "d2lcoach"
    (package / "grading").mkdir(parents=True)
    (package / "learner").mkdir()
    (package / "instructor").mkdir()
    for name, text in {
        "__init__.py": "", "grading/__init__.py": "", "learner/__init__.py": "", "instructor/__init__.py": "",
        "text.py": "def helper():\n    from d2lcoach.grading import engine\n",  # base -> grading: upward
        "grading/engine.py": "import d2lcoach.grading.case\n",
        "grading/case.py": "from d2lcoach.grading import engine\n",  # engine <-> case: a circle
        "learner/tutor.py": "from d2lcoach import text\nimport d2lcoach.instructor.grade\n",
        "learner/files.py": "",
        "instructor/grade.py": "from d2lcoach.learner.files import x\n",  # learner <-> instructor, no module circle
    }.items():
        (package / name).write_text(text)
    found = import_graph(package)
    assert found["d2lcoach.learner.tutor"] == {"d2lcoach.text", "d2lcoach.instructor.grade"}
    assert upward(found) == ["d2lcoach.text imports d2lcoach.grading.engine"]
    assert circles(found) == [["d2lcoach.grading.case", "d2lcoach.grading.engine"]]
    assert circles(package_graph(found)) == [["d2lcoach.instructor", "d2lcoach.learner"]]
