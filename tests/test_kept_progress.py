"""Issue 24: a pass is never lost, a try-out outside the workspace records nothing, one source per
exercise (.py or notebook), and a notebook check records progress exactly as a .py check does.

Grading here is a stand-in (no sandbox): a file passes unless it still raises NotImplementedError,
which fails two checks. The real engine's verdicts are tested elsewhere; these tests are about what
the progress file and the CLI make of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT
from d2lcoach.learner.progress import load_progress
from d2lcoach.results import CheckItem, CheckResult

SOLUTION = (BUILTIN_ROOT / "solutions" / "softmax.py").read_text(encoding="utf-8")
STUB = (BUILTIN_ROOT / "exercises" / "softmax.py").read_text(encoding="utf-8")
PY = "ch04-linear-classification/softmax.py"
NB = "ch04-linear-classification/softmax.ipynb"


def fake_grade(exercise, source, filename, **kwargs) -> CheckResult:
    todo = "NotImplementedError" in source
    checks = [CheckItem("imports", True, "-"), CheckItem("values", not todo, "cpu", "raised NotImplementedError"),
              CheckItem("shapes", not todo, "cpu", "raised NotImplementedError")]
    return CheckResult(exercise.id, filename, checks, seed=1, isolation="none")


@pytest.fixture
def here(tmp_path, monkeypatch):
    """The CLI as a learner types it, from `tmp/ws` (the workspace), with the stand-in grader."""
    import d2lcoach.grading.engine as engine
    import d2lcoach.sandbox

    class NoSandbox:  # the command starts, enters and closes a sandbox: here, one that does nothing
        cuda = False

        def __init__(self, *args, **kwargs):
            pass

        __enter__ = start = lambda self: self
        __exit__ = close = lambda self, *exc: None

    monkeypatch.setattr(d2lcoach.sandbox, "Sandbox", NoSandbox)
    monkeypatch.setattr(engine, "grade_source", fake_grade)
    monkeypatch.setattr(engine, "resolve_devices", lambda device: ["cpu"])
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("D2LCOACH_WORKSPACE", raising=False)
    ws = tmp_path / "ws"
    ws.mkdir()
    monkeypatch.chdir(ws)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, list(args))

    invoke.ws = ws
    invoke.tmp = tmp_path
    return invoke


def entry(ws: Path, exercise: str = "softmax"):
    return load_progress(ws / "d2lcoach-progress.yaml").exercises[exercise]


def listed(here) -> dict:
    return {e["id"]: e for e in json.loads(here("list", "--json").output)["exercises"]}


def one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in result.output, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def write_notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# softmax"), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


def test_a_try_out_outside_the_workspace_records_nothing_unless_asked(here):
    assert here("next", "--exercise", "softmax").exit_code == 0
    (here.ws / PY).write_text(SOLUTION)
    assert here("check", "softmax").exit_code == 0
    scratch = here.tmp / "scratch.py"
    scratch.write_text(STUB)
    before = (here.ws / "d2lcoach-progress.yaml").read_bytes()

    tried = here("check", "softmax", "--file", str(scratch))
    assert tried.exit_code == 1, tried.output
    said = [line for line in tried.output.splitlines() if line.startswith("not recorded")]
    assert said == [f"not recorded: {scratch} is not softmax's file in the workspace "
                    f"({here.ws / PY}); add --record to count it"]
    assert (here.ws / "d2lcoach-progress.yaml").read_bytes() == before
    assert "1 of " in here("list").output

    counted = here("check", "softmax", "--file", str(scratch), "--record", "--json")
    assert counted.exit_code == 1 and json.loads(counted.output)["recorded"] is True
    softmax = entry(here.ws)
    assert (softmax.status, softmax.attempts, softmax.last_file, softmax.best_file) == ("passed", 2, str(scratch), PY)


def test_a_later_failing_check_of_the_same_file_keeps_the_pass_and_list_shows_both(here):
    assert here("next", "--exercise", "softmax").exit_code == 0
    (here.ws / PY).write_text(SOLUTION)
    assert here("check").exit_code == 0
    (here.ws / PY).write_text(STUB)
    assert here("check").exit_code == 1
    softmax = entry(here.ws)
    assert (softmax.status, softmax.attempts, softmax.best_file, softmax.last_file) == ("passed", 2, PY, PY)
    assert softmax.last_failures == 2 and softmax.last_result == {"cpu": "fail"}
    listing = here("list")
    lines = listing.output.splitlines()
    at = next(i for i, line in enumerate(lines) if "> softmax" in line)
    status = " ".join(line.split("│")[4].strip() for line in lines[at:at + 2])  # softmax's cell, wrapped
    assert status == "passed; your current file fails 2 checks", listing.output
    assert "1 of " in listing.output
    row = listed(here)["softmax"]
    assert (row["status"], row["note"], row["best_file"]) == ("passed", "your current file fails 2 checks", PY)


def test_record_without_a_workspace_is_a_one_line_error(here, tmp_path, monkeypatch):
    outside = tmp_path / "downloads"
    outside.mkdir()
    (outside / "softmax.py").write_text(SOLUTION)
    monkeypatch.chdir(outside)
    one_line_error(here("check", "--file", "softmax.py", "--record"), "--record", "no")
    assert sorted(p.name for p in outside.iterdir()) == ["softmax.py"]


def test_a_notebook_check_records_progress_as_a_py_check_does(here):
    assert here("next", "--exercise", "softmax").exit_code == 0  # softmax.py, the untouched stub
    notebook = write_notebook(here.ws / NB, SOLUTION)
    os.utime(here.ws / PY, ns=(1_000_000_000, 1_000_000_000))  # the notebook is the file saved last
    os.chdir(here.ws / "ch04-linear-classification")
    passed = here("check", "--file", "softmax.ipynb")
    assert passed.exit_code == 0 and "Next: d2lcoach next (cross_entropy)" in passed.output, passed.output
    softmax = entry(here.ws)
    assert (softmax.status, softmax.best_file, softmax.last_file) == ("passed", NB, NB)
    assert listed(here)["softmax"]["status"] == "passed"

    plain = here("check")  # both forms exist: the one saved last is graded, and the other is named
    assert plain.exit_code == 0, plain.output
    assert (f"graded softmax.ipynb (saved last); softmax.py is there too: `d2lcoach check --file "
            f"{here.ws / PY}` grades it") in plain.output

    stale = here("check", "--file", "softmax.py")  # the stub: counted, and the pass is kept
    assert stale.exit_code == 1
    softmax = entry(here.ws)
    assert (softmax.status, softmax.attempts, softmax.best_file, softmax.last_file) == ("passed", 3, NB, PY)
    assert notebook.exists()


def test_next_notebook_over_a_py_refuses_without_convert_and_converts_with_it(here):
    assert here("next", "--exercise", "softmax").exit_code == 0
    mine = STUB.replace("raise NotImplementedError", "return X  # my work\n    raise NotImplementedError")
    (here.ws / PY).write_text(mine)
    one_line_error(here("next", "--notebook", "--exercise", "softmax"), str(here.ws / PY), "--convert")
    assert not (here.ws / NB).exists() and (here.ws / PY).read_text() == mine

    made = here("next", "--notebook", "--convert", "--exercise", "softmax", "--json")
    assert made.exit_code == 0, made.output
    report = json.loads(made.output)
    assert report["file"] == str(here.ws / NB) and report["created"] is True
    backup = Path(report["converted_from"])
    assert backup.parent == here.ws / ".d2lcoach-backups" and backup.read_text() == mine
    assert not (here.ws / PY).exists()
    cells = nbformat.read(here.ws / NB, as_version=4).cells
    assert any("# my work" in cell.source for cell in cells if cell.cell_type == "code")

    again = here("next", "--exercise", "softmax")  # plain `next`: the notebook stays the exercise's file
    assert again.exit_code == 0 and str(here.ws / NB) in again.output.replace("\n", ""), again.output
    assert not (here.ws / PY).exists()
    assert here("check").exit_code == 1 and entry(here.ws).last_file == NB


def test_an_exercise_kept_as_a_notebook_is_reset_restored_and_checked_as_a_notebook(here):
    assert here("next", "--notebook", "--exercise", "softmax").exit_code == 0
    stub = (here.ws / NB).read_bytes()
    write_notebook(here.ws / NB, SOLUTION)
    mine = (here.ws / NB).read_bytes()

    every = here("check", "--all", "--json")
    assert every.exit_code == 0, every.output
    assert [r["file"] for r in json.loads(every.output)["results"]] == [str(here.ws / NB)]
    assert (entry(here.ws).status, entry(here.ws).best_file) == ("passed", NB)

    reset = here("reset", "--json")
    assert reset.exit_code == 0, reset.output
    backup = Path(json.loads(reset.output)["reset"][0]["backup"])
    assert backup.suffix == ".ipynb" and backup.read_bytes() == mine
    assert (here.ws / NB).read_bytes() == stub and not (here.ws / PY).exists()
    restored = here("reset", "--restore")
    assert restored.exit_code == 0, restored.output
    assert (here.ws / NB).read_bytes() == mine and not (here.ws / PY).exists()


@pytest.mark.parametrize("answer", ["y", "n"])
def test_in_a_terminal_next_notebook_over_a_py_asks_first(here, monkeypatch, answer):
    import d2lcoach.cli.learner
    assert here("next", "--exercise", "softmax").exit_code == 0
    (here.ws / PY).write_text("# my work\n")
    monkeypatch.setattr(d2lcoach.cli.learner, "_can_ask", lambda: True)
    asked = CliRunner().invoke(app, ["next", "--notebook", "--exercise", "softmax"], input=answer + "\n")
    assert asked.exit_code == 0, asked.output
    assert f"{here.ws / PY} already holds your work; turn it into softmax.ipynb" in asked.output.replace("\n", "")
    if answer == "y":
        assert (here.ws / NB).exists() and not (here.ws / PY).exists()
        assert [p.read_text() for p in (here.ws / ".d2lcoach-backups").glob("softmax-*.py")] == ["# my work\n"]
    else:
        assert "nothing changed: keep working in" in asked.output
        assert not (here.ws / NB).exists() and (here.ws / PY).read_text() == "# my work\n"


def test_check_is_a_library_function_that_the_cli_and_python_share(here):
    """`tutor.check` grades, records and says what else there is, as `d2lcoach check` does, from Python."""
    from d2lcoach.course import load_course
    from d2lcoach.learner import tutor
    from d2lcoach.learner.workspace import resolve_workspace
    assert here("next", "--exercise", "softmax").exit_code == 0
    course, workspace = load_course(), resolve_workspace(here.ws)
    (here.ws / PY).write_text(SOLUTION)
    checked = tutor.check(course, workspace)  # the current exercise, the workspace's own file
    assert (checked.exercise.id, checked.path, checked.result.passed, checked.recorded) == (
        "softmax", here.ws / PY, True, True)
    assert checked.other_source is None and checked.saved_case is None
    assert entry(here.ws).status == "passed"
    scratch = here.tmp / "scratch.py"
    scratch.write_text(STUB)
    tried = tutor.check(course, workspace, "softmax", scratch)
    assert (tried.result.passed, tried.recorded) == (False, False)  # a try-out: graded, not counted
    with pytest.raises(tutor.UsageError, match="unknown device 'tpu'"):
        tutor.check(course, workspace, device="tpu")
