"""Instructors' platforms: Canvas, Moodle and GitHub Classroom downloads in, LMS gradebooks out, and the
Gradescope autograder bundle run in a fake /autograder tree."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
from typer.testing import CliRunner

from d2lcoach.cli import app
from d2lcoach.course import BUILTIN_ROOT

SOFTMAX = (BUILTIN_ROOT / "solutions" / "softmax.py").read_text()
SOFTMAX_STUB = (BUILTIN_ROOT / "exercises" / "softmax.py").read_text()
CONV2D = (BUILTIN_ROOT / "solutions" / "conv2d.py").read_text()


def notebook_text(*sources: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# homework")] + [nbformat.v4.new_code_cell(s) for s in sources]
    return nbformat.writes(nb)


def make_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


@pytest.fixture
def grade(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()

    def invoke(source, *args):
        return runner.invoke(app, ["grade", str(source), "--out", str(tmp_path / "report"), "--jobs", "1",
                                   "--seed", "11", *args])
    invoke.report = tmp_path / "report"
    return invoke


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text())))


def one_line_error(result, needle):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.output, result.output


def test_a_canvas_zip_is_graded_into_a_canvas_gradebook(tmp_path, grade):
    export = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1001_5001_softmax.py": SOFTMAX,
        "smithjohn_1001_5004_notes.txt": "my notes",
        "doejane_LATE_1002_5002_softmax-1.py": SOFTMAX_STUB,  # resubmitted, late
        "doejane_1002_5003_homework.ipynb": notebook_text("import torch\n", CONV2D, "conv2d(X, K)\n"),
    })
    result = grade(export, "-e", "softmax", "-e", "conv2d", "--format", "canvas")
    assert result.exit_code == 0, result.output
    assert "found a canvas export: 2 students" in result.output
    assert "smithjohn_1001: smithjohn_1001_5004_notes.txt" in result.output  # listed, not dropped
    rows = read_csv(grade.report / "gradebook-canvas.csv")
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5:] == ["softmax", "conv2d", "d2lcoach total"]
    assert rows[1][0] == "Points Possible" and rows[1][5:] == ["10", "15", "25"]
    by_id = {row[1]: row for row in rows[2:]}
    assert by_id["1001"][5:] == ["10", "", "10"]  # conv2d missing: an empty cell, not a 0
    assert by_id["1002"][5:] == ["0", "15", "15"]  # the stub scores 0; conv2d graded from the notebook
    identities = json.loads((grade.report / "students.json").read_text())
    jane = identities["students"]["doejane_1002"]
    assert jane["late"] is True and jane["id"] == "1002"
    assert any("homework.ipynb" in note for note in jane["notes"])


def test_a_moodle_folder_keeps_participant_ids(tmp_path, grade):
    export = tmp_path / "moodle"
    folder = export / "Jane Doe_12345_assignsubmission_file_"
    folder.mkdir(parents=True)
    (folder / "softmax.py").write_text(SOFTMAX)
    result = grade(export, "-e", "softmax", "--format", "moodle")
    assert result.exit_code == 0, result.output
    rows = read_csv(grade.report / "gradebook-moodle.csv")
    assert rows[0] == ["Full name", "Identifier", "softmax", "d2lcoach total"]
    assert rows[1] == ["Jane Doe", "Participant 12345", "10", "10"]


def test_a_github_classroom_folder_uses_the_logins(tmp_path, grade):
    export = tmp_path / "classroom"
    for login in ("alice", "bob"):
        repo = export / f"hw1-softmax-{login}"
        (repo / ".git").mkdir(parents=True)
        (repo / "softmax.py").write_text(SOFTMAX if login == "alice" else SOFTMAX_STUB)
    result = grade(export, "-e", "softmax")
    assert result.exit_code == 0, result.output
    rows = read_csv(grade.report / "grades.csv")
    assert {row[0]: row[1] for row in rows[1:]} == {"alice": "10", "bob": "0"}


@pytest.mark.parametrize("files, needle", [
    ({"README.txt": "hello", "notes/a.txt": "x"}, "unknown layout"),
    ({"../evil.py": "x"}, "unknown layout"),  # set aside, and nothing is left (tests/test_hostile_files.py)
])
def test_bad_exports_are_one_line_errors(tmp_path, grade, files, needle):
    result = grade(make_zip(tmp_path / "export.zip", files), "-e", "softmax")
    one_line_error(result, needle)
    assert not (grade.report / "grades.csv").exists()


def test_unknown_gradebook_format_and_non_zip_file(tmp_path, grade):
    one_line_error(grade(tmp_path, "--format", "excel"), "unknown --format")
    (tmp_path / "grades.tar").write_text("x")
    one_line_error(grade(tmp_path / "grades.tar"), "is a file")


def test_gradebook_names_never_become_formulas(tmp_path, grade):
    export = make_zip(tmp_path / "submissions.zip", {"=cmd_1001_5001_softmax.py": SOFTMAX})
    assert grade(export, "-e", "softmax", "--format", "canvas").exit_code == 0
    rows = read_csv(grade.report / "gradebook-canvas.csv")
    assert rows[2][:2] == ["'=cmd", "1001"]


# --------------------------------------------------------------------------- Gradescope

GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["tests"],
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {"type": "array", "items": {
            "type": "object", "required": ["name", "score", "max_score"],
            "properties": {"score": {"type": "number"}, "max_score": {"type": "number"},
                           "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"},
                           "output": {"type": "string"},
                           "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]}},
            "additionalProperties": False}},
    },
    "additionalProperties": False,
}


def test_the_gradescope_bundle_runs_in_a_fake_autograder_tree(tmp_path):
    runner = CliRunner()
    bundle = tmp_path / "autograder.zip"
    built = runner.invoke(app, ["gradescope", "build", "-o", str(bundle), "-e", "softmax", "-e", "conv2d"])
    assert built.exit_code == 0, built.output
    names = zipfile.ZipFile(bundle).namelist()
    assert {"setup.sh", "run_autograder", "d2lcoach-src/pyproject.toml", "d2lcoach-src/course.yaml",
            "d2lcoach-src/graders/softmax.py", "d2lcoach-src/d2lcoach/cli.py"} <= set(names)
    assert "bubblewrap" in zipfile.ZipFile(bundle).read("setup.sh").decode()

    from d2lcoach.gradescope import unpack_bundle
    root = tmp_path / "autograder"
    source = unpack_bundle(bundle, root)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), D2LCOACH_PYTHON=sys.executable)
    for case, files in (("correct", {"softmax.py": SOFTMAX, "conv2d.py": CONV2D}),
                        ("buggy", {"Softmax.py": SOFTMAX_STUB})):
        submission = root / "submission"
        if submission.exists():
            for old in submission.iterdir():
                old.unlink()
        submission.mkdir(exist_ok=True)
        for name, text in files.items():
            (submission / name).write_text(text)
        done = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        results = json.loads((root / "results" / "results.json").read_text())
        jsonschema.validate(results, GRADESCOPE_SCHEMA)
        names = [t["name"] for t in results["tests"]]
        if case == "correct":
            assert results["score"] == 25
            assert all(t["status"] == "passed" for t in results["tests"])
            assert "softmax: values" in names
            assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(25, abs=0.01)
        else:
            assert results["score"] == 0
            assert any(t["status"] == "failed" for t in results["tests"] if t["name"].startswith("softmax"))
            assert "conv2d: handed in" in names
