"""The learner's path end to end through the CLI, as a new user would walk it, and every bad input."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT

ROOT = BUILTIN_ROOT


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("D2LCOACH_WORKSPACE", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, ["--workspace", str(tmp_path / "ws"), *args])
    invoke.ws = tmp_path / "ws"
    return invoke


def _one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_new_learner_walks_the_course(run):
    first = run("next")
    assert first.exit_code == 0, first.output
    assert "linear_regression" in first.output and "D2L 3.2" in first.output
    stub = run.ws / "ch03-linear-regression" / "linear_regression.py"
    assert stub.is_file()

    failing = run("check")
    assert failing.exit_code == 1, failing.output
    assert "NotImplementedError" in failing.output and "NOT YET" in failing.output
    assert "--seed" in failing.output

    # A typical first attempt: y is not reshaped and sgd forgets to clear the gradients.
    solution = (ROOT / "solutions" / "linear_regression.py").read_text()
    stub.write_text(solution.replace("y.reshape(y_hat.shape)", "y").replace("            param.grad.zero_()\n", ""))
    typical = run("check", "--seed", "3")
    assert typical.exit_code == 1
    assert "gradients zeroed" in typical.output and "shape" in typical.output

    shutil.copy(ROOT / "solutions" / "linear_regression.py", stub)
    passing = run("check")
    assert passing.exit_code == 0, passing.output
    assert "PASSED" in passing.output

    moved_on = run("next")
    assert moved_on.exit_code == 0 and "softmax" in moved_on.output
    assert (run.ws / "ch04-linear-classification" / "softmax.py").is_file()

    listing = run("list", "--json")
    data = json.loads(listing.output)
    assert data["passed"] == 1
    statuses = {e["id"]: e["status"] for e in data["exercises"]}
    assert statuses["linear_regression"] == "passed" and statuses["softmax"] == "in progress"
    progress = (run.ws / "d2lcoach-progress.yaml").read_text()
    assert progress.startswith("# Managed by d2lcoach") and "version: 2" in progress
    assert "attempts: 3" in progress

    table = run("list")
    n = len(json.loads(listing.output)["exercises"])
    assert table.exit_code == 0 and f"1 of {n} exercises passed" in table.output
    chapters = {e["chapter"] for e in data["exercises"]} if "chapter" in data["exercises"][0] else None
    assert chapters is None or {3, 5, 6, 12} <= chapters
    for exercise_id in ("linear_regression", "dropout", "my_linear", "lr_scheduler"):
        assert exercise_id in table.output


def test_next_never_overwrites_the_learners_file(run):
    run("next", "--exercise", "softmax")
    stub = run.ws / "ch04-linear-classification" / "softmax.py"
    stub.write_text("# my work\n")
    again = run("next", "--exercise", "softmax")
    assert again.exit_code == 0 and "kept as you left it" in again.output
    assert stub.read_text() == "# my work\n"


def test_check_json_is_exactly_one_object(run):
    run("next", "--exercise", "softmax")
    result = run("check", "--json", "--seed", "1")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"exercise", "file", "passed", "score", "checks", "error", "points", "recorded"}
    assert data["exercise"] == "softmax" and data["passed"] is False and data["recorded"] is True
    assert all(set(c) == {"name", "passed", "device", "message", "priority", "case"} for c in data["checks"])
    assert all(set(p) == {"name", "weight", "met", "earned", "note"} for p in data["points"])


def test_check_save_case_prints_two_lines_that_load_it(run, tmp_path):
    target = tmp_path / "softmax.py"
    shutil.copy(Path(__file__).parent / "submissions" / "softmax" / "bug_global_max.py", target)
    result = run("check", "--file", str(target), "--seed", "3", "--save-case", str(tmp_path / "cases"))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("saved the case of numerical stability"))
    snippet = [line.strip() for line in lines[at + 1:at + 3]]
    assert snippet[0].startswith("import torch; case = torch.load(") and "runpy.run_path(" in snippet[1]
    assert list((tmp_path / "cases").glob("softmax-seed3-case*.pt"))


def test_check_a_file_anywhere(run, tmp_path):
    target = tmp_path / "conv2d.py"
    shutil.copy(ROOT / "solutions" / "conv2d.py", target)
    result = run("check", "--file", str(target), "--device", "cpu", "--json")
    assert result.exit_code == 0, result.output
    assert {c["device"] for c in json.loads(result.output)["checks"]} <= {"cpu", "-"}


def test_hints_are_staged_and_counted(run):
    run("next", "--exercise", "softmax")
    one = run("hint")
    two = run("hint")
    assert "Hint 1 of" in one.output and "Hint 2 of" in two.output
    every = run("hint", "--all", "--json")
    assert len(json.loads(every.output)["hints"]) >= 3
    assert "hints_shown: 4" in (run.ws / "d2lcoach-progress.yaml").read_text()


def test_reset_keeps_a_backup(run):
    run("next", "--exercise", "softmax")
    stub = run.ws / "ch04-linear-classification" / "softmax.py"
    stub.write_text("# attempt one\n")
    result = run("reset", "softmax")
    assert result.exit_code == 0 and "saved as" in result.output
    backups = list((run.ws / ".d2lcoach-backups").glob("softmax-*.py"))
    assert [b.read_text() for b in backups] == ["# attempt one\n"]
    assert stub.read_text() == (ROOT / "exercises" / "softmax.py").read_text()


def test_solution_only_after_passing_or_forced(run):
    run("next", "--exercise", "softmax")
    refused = run("solution", "softmax")
    _one_line_error(refused, "not passed softmax")
    forced = run("solution", "softmax", "--force")
    assert forced.exit_code == 0 and "def softmax" in forced.output
    assert "solution_viewed: forced" in (run.ws / "d2lcoach-progress.yaml").read_text()


def test_doctor_names_versions_devices_and_sandbox(run):
    result = run("doctor", "--json")
    facts = json.loads(result.output)
    assert facts["torch"].startswith("2.14.1")
    assert "cpu" in facts["devices for checks"]
    # Linux picks namespaces or process on its own; a forced level (--sandbox-level) is the one named.
    forced = os.environ.get("D2LCOACH_SANDBOX", "").strip().lower()
    assert facts["sandbox level"] == forced if forced else facts["sandbox level"] in ("namespaces", "process")


@pytest.mark.parametrize("args, needle", [
    (("check", "nosuch"), "unknown exercise 'nosuch'"),
    (("hint", "nosuch"), "unknown exercise"),
    (("reset", "nosuch"), "unknown exercise"),
    (("next", "--exercise", "nosuch"), "unknown exercise"),
    (("solution", "nosuch"), "unknown exercise"),
    (("check", "softmax"), "no such file"),
    (("check", "softmax", "--device", "tpu"), "unknown device"),
])
def test_bad_input_is_one_line_and_exit_2(run, args, needle):
    run.ws.mkdir()
    _one_line_error(run(*args), needle)


def test_missing_and_directory_files(run, tmp_path):
    _one_line_error(run("check", "softmax", "--file", str(tmp_path / "missing.py")), "missing.py")
    folder = tmp_path / "softmax.py"
    folder.mkdir()
    _one_line_error(run("check", "--file", str(folder)), "softmax.py")


def test_broken_progress_file_stops_and_is_kept(run):
    run("next", "--exercise", "softmax")
    progress = run.ws / "d2lcoach-progress.yaml"
    progress.write_text("version: 1\nexercises: [unclosed\n")
    before = progress.read_bytes()
    for args in (("list",), ("check",), ("next",), ("hint",)):
        _one_line_error(run(*args), "d2lcoach-progress.yaml")
    assert progress.read_bytes() == before


def test_workspace_that_is_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    target = tmp_path / "afile"
    target.write_text("x")
    result = CliRunner().invoke(app, ["--workspace", str(target), "list"])
    _one_line_error(result, "afile")


def test_progress_folder_where_file_belongs(run):
    (run.ws / "d2lcoach-progress.yaml").mkdir(parents=True)
    _one_line_error(run("list"), "d2lcoach-progress.yaml")


def test_check_all_grades_every_file_in_a_table(run):
    run("next", "--exercise", "softmax")
    run("next", "--exercise", "nms")
    shutil.copy(ROOT / "solutions" / "softmax.py", run.ws / "ch04-linear-classification" / "softmax.py")
    result = run("check", "--all", "--json", "--seed", "5")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    verdicts = {r["exercise"]: r["passed"] for r in data["results"]}
    assert verdicts == {"softmax": True, "nms": False} and data["passed"] is False
    table = run("check", "--all", "--seed", "5")
    assert "softmax" in table.output and "passed" in table.output and "not yet" in table.output
    assert "attempts: 2" in (run.ws / "d2lcoach-progress.yaml").read_text()


def test_reset_all_backs_up_every_changed_file(run):
    run("next", "--exercise", "softmax")
    run("next", "--exercise", "conv2d")
    (run.ws / "ch04-linear-classification" / "softmax.py").write_text("# mine\n")
    result = run("reset", "--all", "--json")
    data = json.loads(result.output)["reset"]
    assert [d["exercise"] for d in data] == ["softmax", "conv2d"]
    assert data[0]["backup"] and Path(data[0]["backup"]).read_text() == "# mine\n"
    assert data[1]["backup"] is None  # the stub was untouched: nothing to keep


def test_version_and_help(run):
    assert run("--version").output.startswith("d2lcoach ")
    help_text = run("--help").output
    for command in ("next", "check", "list", "hint", "reset", "solution", "doctor", "watch", "grade"):
        assert command in help_text
