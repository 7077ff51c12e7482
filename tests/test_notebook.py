"""Learners in notebooks: exercise functions read statically out of .ipynb files, `next --notebook`,
and `check --file notebook.ipynb`, with messages that name cells and one-line errors for bad notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT
from d2lcoach.errors import UsageError
from d2lcoach.learner.notebook import extract, extract_file, plain_python

SOLUTION = (BUILTIN_ROOT / "solutions" / "softmax.py").read_text()
UNSTABLE = ("def softmax(X, dim=-1):\n"
            "    E = torch.exp(X)\n"
            "    return E / E.sum(dim, keepdim=True)\n")


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    """cells: (kind, source) with kind 'code' or 'markdown'."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
                for kind, src in cells]
    path.write_text(nbformat.writes(nb))
    return path


# --------------------------------------------------------------------------- extraction

def test_last_definition_wins_and_only_what_it_uses_is_taken():
    cells = ["import torch\nimport matplotlib.pyplot as plt\nfrom d2l import torch as d2l\n", None,
             "def softmax(X, dim=-1):\n    return X\n",
             "train_iter = d2l.load_data_fashion_mnist(256)\nfor epoch in range(10):\n    pass\n",
             "def normalise(E, dim):\n    return E / E.sum(dim, keepdim=True)\n",
             "def softmax(X, dim=-1):\n    return normalise(torch.exp(X - X.max(dim, keepdim=True).values), dim)\n"]
    got = extract(cells, ["softmax"])
    assert "import torch" in got.source
    assert "matplotlib" not in got.source and "d2l" not in got.source  # not used by softmax
    assert "load_data_fashion_mnist" not in got.source and "for epoch" not in got.source
    assert "return X\n" not in got.source  # the earlier softmax lost to the later one
    assert got.cells == (1, 5, 6)
    ns: dict = {}
    exec(compile(got.source, "nb", "exec"), ns)
    import torch
    assert torch.allclose(ns["softmax"](torch.tensor([[1.0, 2.0]]), 1).sum(), torch.tensor(1.0))


def test_magics_and_shell_lines_keep_line_numbers():
    assert plain_python("%matplotlib inline\n!pip install d2l\nx = 1\n") == "pass\npass\nx = 1"
    assert plain_python("%%time\nx = 1\n").strip() == ""


def test_simple_constants_are_taken_but_computed_values_are_not():
    cells = ["import torch\nEPS = 1e-9\nW = torch.randn(3, 3)\n",
             "def softmax(X, dim=-1):\n    E = torch.exp(X - X.max(dim, keepdim=True).values) + EPS\n"
             "    return E / E.sum(dim, keepdim=True) @ W\n"]
    got = extract(cells, ["softmax"])
    assert "EPS = 1e-9" in got.source and "torch.randn" not in got.source


def test_messages_name_the_cell_and_its_line():
    cells = ["import torch\n", "# a comment\n\ndef softmax(X, dim=-1):\n    raise ValueError('x')\n"]
    got = extract(cells, ["softmax"])
    line = got.source.splitlines().index("    raise ValueError('x')") + 1
    assert got.relabel(f'File "softmax.ipynb", line {line}, in softmax') == \
        'File "softmax.ipynb", cell 2, line 4, in softmax'


def test_a_cell_that_does_not_parse_is_graded_when_it_holds_the_latest_definition():
    cells = ["import torch\n", "def softmax(X, dim=-1):\n    return X +\n"]
    got = extract(cells, ["softmax"])
    assert got.cells == (2,) and "return X +" in got.source
    with pytest.raises(SyntaxError):
        compile(got.source, "nb", "exec")


def test_a_notebook_without_the_function_is_a_usage_error():
    with pytest.raises(UsageError, match="no code cell defines softmax"):
        extract(["import torch\n", None], ["softmax"])


@pytest.mark.parametrize("content, needle", [
    (b"{not json", "not valid JSON"),
    (b'{"cells": 3}', "not a Jupyter notebook"),
    (b'[1, 2]', "not a Jupyter notebook"),
    (b'{"cells": [{"cell_type": "code", "source": 5}]}', "source"),
])
def test_broken_notebooks_are_usage_errors(tmp_path, content, needle):
    path = tmp_path / "softmax.ipynb"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=needle):
        extract_file(path, ["softmax"])


# --------------------------------------------------------------------------- the CLI

@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("D2LCOACH_WORKSPACE", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, ["--workspace", str(tmp_path / "ws"), *args])
    invoke.ws = tmp_path / "ws"
    invoke.tmp = tmp_path
    return invoke


def test_check_file_grades_a_notebook_and_names_its_cells(run):
    nb = write_notebook(run.tmp / "softmax.ipynb", [
        ("markdown", "# my notes"), ("code", "import torch\nfrom d2l import torch as d2l\n"),
        ("code", "d2l.train_ch3(net, train_iter, test_iter, loss, 10, updater)\n"),
        ("code", "def softmax(X, dim=-1):\n    raise RuntimeError('boom')\n")])
    failing = run("check", "--file", str(nb), "--seed", "1")
    assert failing.exit_code == 1, failing.output
    assert "cell 4, line 2" in failing.output and "boom" in failing.output

    write_notebook(nb, [("code", SOLUTION), ("code", "print(softmax(torch.randn(2, 3)))\n")])
    passing = run("check", "--file", str(nb), "--seed", "1")
    assert passing.exit_code == 0, passing.output


@pytest.mark.parametrize("content, needle", [
    (b"{oops", "not valid JSON"),
    (json.dumps({"cells": [{"cell_type": "code", "source": "x = 1"}], "nbformat": 4}).encode(),
     "no code cell defines softmax"),
])
def test_check_of_a_bad_notebook_is_one_line_and_exit_2(run, content, needle):
    nb = run.tmp / "softmax.ipynb"
    nb.write_bytes(content)
    result = run("check", "--file", str(nb))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.output


def test_next_notebook_writes_a_task_notebook_that_check_finds(run):
    made = run("next", "--notebook", "--exercise", "softmax")
    assert made.exit_code == 0, made.output
    path = run.ws / "ch04-linear-classification" / "softmax.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds == ["markdown", "code", "code"]
    assert "softmax" in nb.cells[0].source and "def softmax" in nb.cells[1].source
    assert "%d2lcoach check softmax" in nb.cells[2].source
    stub = run("check", "--seed", "2")  # no .py file: the notebook is the exercise file (softmax is current)
    assert stub.exit_code == 1 and "NotImplementedError" in stub.output, stub.output

    nb.cells[1].source = SOLUTION
    nbformat.write(nb, path)
    assert run("check", "--seed", "2").exit_code == 0


# --------------------------------------------------------------------------- a real kernel

def test_the_extension_in_a_real_kernel(tmp_path, monkeypatch):
    """Load the extension, check a buggy softmax (fails), redefine it, check again (passes), and the
    progress file in the notebook's folder says so."""
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.delenv("D2LCOACH_WORKSPACE", raising=False)
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (
        "%load_ext d2lcoach\n%d2lcoach next softmax",
        "import torch\n" + UNSTABLE,
        "%d2lcoach check softmax --seed 5",
        SOLUTION,
        "%d2lcoach check softmax --seed 5",
        "%d2lcoach hint softmax",
        "%d2lcoach check nosuch",
    )]
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    def shown(cell) -> str:
        parts = []
        for output in cell.outputs:
            data = output.get("data", {})
            parts.append(data.get("text/html", "") or data.get("text/plain", "") or output.get("text", ""))
        return "\n".join(parts)
    task, failed, passed, hint, bad = (shown(nb.cells[i]) for i in (0, 2, 4, 5, 6))
    assert "softmax" in task and "D2L 4.4" in task and "%d2lcoach check softmax" in task
    assert "NOT YET" in failed and "numerical stability" in failed and "<" in failed  # HTML in Jupyter
    assert "PASSED" in passed, passed
    assert "Hint 1/" in hint
    assert "unknown exercise 'nosuch'" in bad and "Traceback" not in bad
    progress = (tmp_path / "d2lcoach-progress.yaml").read_text()
    assert "softmax" in progress and "passed" in progress
