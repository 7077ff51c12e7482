"""Instructor batch grading: a small class with right, wrong, missing, crashing and hostile work.

The report (grades.csv, results.json, feedback/*.md) is checked exactly against content built here
from grading each file alone with the same seed, so a batch grade must equal a lone `check`.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from d2lcoach import __version__
from d2lcoach.instructor import batch
from d2lcoach.instructor.batch import JOURNAL_NAME, grade_roster, grader_digest
from d2lcoach.cli import instructor as cli_instructor
from d2lcoach.cli.instructor import grade
from d2lcoach.course import BUILTIN_ROOT
from d2lcoach.errors import UsageError
from d2lcoach.grading import engine
from d2lcoach.grading.scoring import format_points
from d2lcoach.grading.engine import GRADER_VERSION, grade_source, resolve_devices
from d2lcoach.sandbox import LEVEL_TEXT, NAMESPACES, Limits, available_level
from d2lcoach.learner.workspace import file_hash

SEED = 20261125
EXERCISES = ["softmax", "conv2d", "gru_cell"]
# Only dave hands in gru_cell (an endless loop), so a short limit there cannot hurt a correct file.
LIMITS = {"gru_cell": Limits(wall_seconds=2, cpu_seconds=4)}
WRONG_SOFTMAX = '''import torch


def softmax(X, dim=-1):
    e = X.exp()  # no shift by the maximum: overflows for large inputs
    return e / e.sum(dim, keepdim=True)
'''
CRASHING = 'raise RuntimeError("the dog ate my homework")\n'
HOSTILE = '''import torch


def gru_cell(X, H, params):
    while True:
        pass
'''
FILES = {  # student -> file name -> content (None: copy the reference solution)
    "alice": {"softmax.py": None, "conv2d.py": None, "notes.txt": "my notes\n"},
    "bob": {"softmax.py": WRONG_SOFTMAX},
    "carol": {"softmax.py": CRASHING, "conv2d.py": None},
    "dave": {"gru_cell.py": HOSTILE},
}
VOLATILE_TOP = ("seconds", "finished_at", "jobs", "graded", "reused", "roster", "seed")  # seed: the run's, for what
#                                                                                     it grades anew


def make_roster(root: Path) -> Path:
    roster = root / "roster"
    for student, files in FILES.items():
        folder = roster / student
        folder.mkdir(parents=True)
        for name, text in files.items():
            if text is None:
                shutil.copy(BUILTIN_ROOT / "solutions" / name, folder / name)
            else:
                (folder / name).write_text(text)
    return roster


def strip_volatile(document: dict) -> dict:
    document = copy.deepcopy(document)
    for key in VOLATILE_TOP:
        document.pop(key)
    for entry in document["summary"]:
        entry.pop("mean_seconds")
    for student in document["students"].values():
        for row in student["exercises"].values():
            row.pop("seconds")
    return document


def journal_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / JOURNAL_NAME).read_text().splitlines()]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course):
    root = tmp_path_factory.mktemp("class")
    roster = make_roster(root)
    events = []
    summary = grade_roster(roster, root / "report", course=course, jobs=2, exercises=EXERCISES, seed=SEED,
                           limits=LIMITS, on_result=events.append)
    return {"root": root, "roster": roster, "out": root / "report", "summary": summary, "events": events}


@pytest.fixture(scope="module")
def alone(graded, course, sandbox):
    """Each handed-in file graded on its own with the same seed, devices and limits."""
    devices = resolve_devices("all")
    results = {}
    for student, files in FILES.items():
        for name in files:
            exercise_id = name[:-3]
            if not name.endswith(".py") or exercise_id not in EXERCISES:
                continue
            exercise = course.get(exercise_id)
            source = (graded["roster"] / student / name).read_text()
            results[(student, exercise_id)] = grade_source(
                exercise, source, f"{student}/{name}", sandbox=sandbox, devices=devices, seed=SEED,
                limits=LIMITS.get(exercise_id))
    return results


# --------------------------------------------------------------------------- expected content

def points(course, exercise_id, result) -> float:
    return 0.0 if result is None else round(course.get(exercise_id).points * result.score, 2)


def shown(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def cell(course, exercise_id, result) -> str:
    """Points as the feedback shows them: '-' where nothing was handed in, never a 0."""
    return "-" if result is None else shown(points(course, exercise_id, result))


def verdict(result) -> str:
    if result is None:
        return "missing"
    if result.passed:
        return "passed"
    if result.error and result.error.startswith("timed out"):
        return "timed out"
    return "error" if result.error else "failed"


def fenced(text: str) -> list[str]:
    assert "```" not in text
    return ["```text", text.rstrip("\n"), "```"]


def expected_feedback(course, student: str, alone, ignored: list[str]) -> str:
    exercises = [course.get(i) for i in EXERCISES]
    total = sum(points(course, e.id, alone.get((student, e.id))) for e in exercises)
    lines = [f"# Feedback for {student}", "", course.title, "", f"**Total: {shown(total)} / 35 points**", "",
             "| exercise | points | result |", "|---|---|---|"]
    for e in exercises:
        result = alone.get((student, e.id))
        lines.append(f"| {e.id} | {cell(course, e.id, result)} / {shown(e.points)} | {verdict(result)} |")
    for e in exercises:
        result = alone.get((student, e.id))
        lines += ["", f"## {e.id}: {e.title} (D2L {e.section})", "",
                  f"**{cell(course, e.id, result)} / {shown(e.points)} points: {verdict(result)}**", ""]
        if result is None:
            lines.append(f"No `{e.id}.py` was handed in.")
            continue
        if result.error:
            lines += ["The submission could not be graded:", ""] + fenced(result.error)
        if result.checks:
            lines += [""] if result.error else []
            lines += ["| check | device | result |", "|---|---|---|"]
            lines += [f"| {c.name} | {c.device} | {'pass' if c.passed else 'FAIL'} |" for c in result.checks]
            if result.properties and not result.error:  # the points' breakdown, with the weights
                lines += ["", "Points by property (earned/weight): " + format_points(result.properties)]
        if result.zero_score:
            lines += ["", "A forbidden routine or import scores 0 for the whole exercise."]
        messages, failures = set(), []
        for check in result.failures():
            if check.message not in messages:
                messages.add(check.message)
                failures.append(check)
        if failures:
            lines += ["", "### What to fix"]
            for check in failures:
                lines += ["", f"**{check.name}** ({check.device})", ""] + fenced(check.message)
        if result.output.strip():
            lines += ["", "### Your code printed", ""] + fenced(result.output.strip())
        if result.checks or result.error:
            lines += ["", f"Graded with seed {SEED}; reproduce this grade with `d2lcoach check {e.id} --seed {SEED}`."]
    if ignored:
        lines += ["", "## Files not graded", "", "These files were not graded:", ""]
        lines += [f"- `{name}`" for name in ignored]
    devices = ", ".join(resolve_devices("all"))
    lines += ["", "---", "", f"Graded by d2lcoach {__version__} (grader version {GRADER_VERSION}) "
              f"on {devices}, in the {available_level()} sandbox. Each new or changed file is graded with a fresh "
              "seed.", ""]
    return "\n".join(lines)


def expected_results(course, alone, roster: Path) -> dict:
    exercises = [course.get(i) for i in EXERCISES]
    students = {}
    for student, files in FILES.items():
        rows = {}
        for e in exercises:
            result = alone.get((student, e.id))
            if result is None:
                rows[e.id] = {"status": "missing", "file": None, "sha256": None, "points": None,
                              "max_points": e.points, "score": None, "passed": False, "verdict": "missing",
                              "error": "missing", "zero_score": False, "checks": [], "output": "", "seed": None}
                continue
            rows[e.id] = {"status": "graded", "file": f"{student}/{e.id}.py",
                          "sha256": file_hash((roster / student / f"{e.id}.py").read_text()),
                          "points": points(course, e.id, result), "max_points": e.points, "score": result.score,
                          "passed": result.passed, "verdict": verdict(result), "error": result.error,
                          "zero_score": result.zero_score, "checks": [c.to_json() for c in result.checks],
                          "output": result.output, "seed": SEED}
        students[student] = {"total": round(sum(r["points"] or 0 for r in rows.values()), 2), "max_total": 35.0,
                             "ignored": ["notes.txt"] if student == "alice" else [], "file_notes": [],
                             "exercises": rows}
    summary = []
    for e in exercises:
        verdicts = [verdict(alone.get((s, e.id))) for s in FILES]
        summary.append({"id": e.id, "title": e.title, "points": e.points, "passed": verdicts.count("passed"),
                        "failed": verdicts.count("failed") + verdicts.count("error"),
                        "timed_out": verdicts.count("timed out"), "missing": verdicts.count("missing"),
                        "not_graded": 0})
    level = available_level()
    return {
        "version": 1,
        "managed_by": "d2lcoach grade: rewritten whole on every run; the journal beside it keeps each grade",
        "d2lcoach_version": __version__, "grader_version": GRADER_VERSION, "course": course.title,
        "isolation": level, "isolation_text": LEVEL_TEXT[level],
        "warning": batch.weak_sandbox_warning(level), "devices": resolve_devices("all"),
        "exercises": [{"id": e.id, "title": e.title, "points": e.points, "time_limit": e.time_limit,
                       "grader": grader_digest(e)} for e in exercises],
        "summary": summary, "roster_ignored": [], "students": students, "carried": [],
    }


# --------------------------------------------------------------------------- the report, exactly

def test_the_class_is_graded_as_each_file_alone(graded, alone):
    assert alone[("alice", "softmax")].passed and alone[("alice", "conv2d")].passed
    assert alone[("carol", "conv2d")].passed
    wrong = alone[("bob", "softmax")]
    assert not wrong.passed and 0 < wrong.score < 1 and wrong.error is None
    assert "numerical stability" in {c.name for c in wrong.failures()}
    assert "RuntimeError: the dog ate my homework" in alone[("carol", "softmax")].error
    assert alone[("dave", "gru_cell")].error.startswith("timed out")


def test_grades_csv(graded, alone, course):
    bob = shown(points(course, "softmax", alone[("bob", "softmax")]))
    assert 0 < float(bob) < 10
    assert (graded["out"] / "grades.csv").read_text() == (
        "student,softmax,conv2d,gru_cell,total,max_total\n"
        "alice,10,15,,25,35\n"
        f"bob,{bob},,,{bob},35\n"
        "carol,0,15,,15,35\n"
        "dave,,,0,0,35\n")  # empty: nothing handed in; 0: handed in and graded 0


def test_results_json(graded, alone, course):
    document = json.loads((graded["out"] / "results.json").read_text())
    assert document["jobs"] == 2 and document["graded"] == 6 and document["reused"] == 0
    assert document["roster"] == str(graded["roster"])
    assert strip_volatile(document) == expected_results(course, alone, graded["roster"])


def test_feedback_files(graded, alone, course):
    folder = graded["out"] / "feedback"
    assert sorted(p.name for p in folder.iterdir()) == ["alice.md", "bob.md", "carol.md", "dave.md"]
    for student in FILES:
        ignored = ["notes.txt"] if student == "alice" else []
        assert (folder / f"{student}.md").read_text() == expected_feedback(course, student, alone, ignored)


def test_summary_and_events(graded):
    summary, events = graded["summary"], graded["events"]
    assert summary.students == ["alice", "bob", "carol", "dave"]
    assert (summary.graded, summary.reused, summary.missing, summary.internal_errors) == (6, 0, 6, 0)
    assert summary.ignored == {"alice": ["notes.txt"], "bob": [], "carol": [], "dave": []}
    by_id = {e.id: e for e in summary.exercises}
    assert (by_id["softmax"].passed, by_id["softmax"].failed, by_id["softmax"].missing) == (1, 2, 1)
    assert (by_id["gru_cell"].timed_out, by_id["gru_cell"].missing) == (1, 3)
    assert by_id["gru_cell"].mean_seconds >= 2
    assert [e.done for e in events] == list(range(1, 13)) and {e.total for e in events} == {12}
    assert sorted(e.status for e in events) == ["graded"] * 6 + ["missing"] * 6
    if summary.isolation == NAMESPACES:
        assert summary.warning is None
    else:
        assert summary.warning.startswith("WARNING")
    lines = journal_lines(graded["out"])
    assert len(lines) == 6
    assert {(l["student"], l["exercise"]) for l in lines} == {
        ("alice", "softmax"), ("alice", "conv2d"), ("bob", "softmax"), ("carol", "softmax"),
        ("carol", "conv2d"), ("dave", "gru_cell")}
    assert all(l["seed"] == SEED and l["grader"].startswith(GRADER_VERSION + ":") for l in lines)


# --------------------------------------------------------------------------- determinism and resuming

def test_one_job_grades_the_same(graded, course, tmp_path):
    out = tmp_path / "report"
    summary = grade_roster(graded["roster"], out, course=course, jobs=1, exercises=EXERCISES, seed=SEED,
                           limits=LIMITS)
    assert summary.jobs == 1 and summary.graded == 6
    assert (out / "grades.csv").read_bytes() == (graded["out"] / "grades.csv").read_bytes()
    one = strip_volatile(json.loads((out / "results.json").read_text()))
    two = strip_volatile(json.loads((graded["out"] / "results.json").read_text()))
    assert one == two
    for student in FILES:
        assert (out / "feedback" / f"{student}.md").read_text() == \
            (graded["out"] / "feedback" / f"{student}.md").read_text()


def copy_report(graded, tmp_path) -> Path:
    out = tmp_path / "report"
    shutil.copytree(graded["out"], out)
    return out


def test_rerun_grades_nothing_new(graded, course, tmp_path):
    out = copy_report(graded, tmp_path)
    events = []
    summary = grade_roster(graded["roster"], out, course=course, exercises=EXERCISES, limits=LIMITS,
                           on_result=events.append)  # no seed: a fresh one, for nothing, as nothing changed
    assert summary.seed != SEED and (summary.graded, summary.reused) == (0, 6)
    assert sorted(e.status for e in events) == ["missing"] * 6 + ["reused"] * 6
    assert len(journal_lines(out)) == 6
    assert (out / "grades.csv").read_bytes() == (graded["out"] / "grades.csv").read_bytes()
    assert strip_volatile(json.loads((out / "results.json").read_text())) == \
        strip_volatile(json.loads((graded["out"] / "results.json").read_text()))
    for student in FILES:
        assert (out / "feedback" / f"{student}.md").read_bytes() == \
            (graded["out"] / "feedback" / f"{student}.md").read_bytes()


def test_the_grades_come_back_from_the_journal_alone(graded, course, tmp_path):
    out = copy_report(graded, tmp_path)
    (out / "results.json").unlink()  # as if the first run was interrupted before the report
    summary = grade_roster(graded["roster"], out, course=course, exercises=EXERCISES, limits=LIMITS)
    assert summary.graded == 0 and summary.reused == 6
    seeds = {row["seed"] for student in json.loads((out / "results.json").read_text())["students"].values()
             for row in student["exercises"].values() if row.get("seed") is not None}
    assert seeds == {SEED}  # each reused grade keeps the seed it was graded with


def test_a_regrade_draws_a_seed_no_feedback_showed(graded, course, tmp_path):
    """A resubmission is graded with a fresh seed, never the one the first run's feedback printed (a
    lookup table built for that seed must not pass); --seed still reproduces a grade on purpose."""
    roster = tmp_path / "roster"
    shutil.copytree(graded["roster"], roster)
    out = copy_report(graded, tmp_path)
    assert f"--seed {SEED}" in (out / "feedback" / "bob.md").read_text()
    shutil.copy(BUILTIN_ROOT / "solutions" / "softmax.py", roster / "bob" / "softmax.py")
    summary = grade_roster(roster, out, course=course, exercises=EXERCISES, limits=LIMITS)
    assert summary.graded == 1 and summary.seed != SEED
    bob = json.loads((out / "results.json").read_text())["students"]["bob"]["exercises"]["softmax"]
    assert bob["seed"] == summary.seed
    feedback = (out / "feedback" / "bob.md").read_text()
    assert f"check softmax --seed {summary.seed}" in feedback and f"--seed {SEED}" not in feedback
    again = grade_roster(roster, out, course=course, exercises=EXERCISES, limits=LIMITS, seed=SEED)
    assert again.seed == SEED and again.graded == 1 and again.reused == 5  # bob's file, on the seed asked


def test_a_changed_file_is_regraded(graded, course, tmp_path):
    roster = tmp_path / "roster"
    shutil.copytree(graded["roster"], roster)
    out = copy_report(graded, tmp_path)
    shutil.copy(BUILTIN_ROOT / "solutions" / "softmax.py", roster / "bob" / "softmax.py")
    events = []
    summary = grade_roster(roster, out, course=course, exercises=EXERCISES, limits=LIMITS, on_result=events.append)
    assert [(e.student, e.exercise) for e in events if e.status == "graded"] == [("bob", "softmax")]
    assert (summary.graded, summary.reused) == (1, 5)
    assert len(journal_lines(out)) == 7
    assert "bob,10,,,10,35\n" in (out / "grades.csv").read_text()


def test_a_torn_journal_line_is_tolerated(graded, course, tmp_path):
    out = copy_report(graded, tmp_path)
    journal = out / JOURNAL_NAME
    whole = journal.read_bytes()
    journal.write_bytes(whole + b'{"version": 1, "key": "[\\"bob\\", \\"soft')  # killed mid-write
    summary = grade_roster(graded["roster"], out, course=course, exercises=EXERCISES, limits=LIMITS)
    assert (summary.graded, summary.reused) == (0, 6)
    assert journal.read_bytes() == whole  # the torn tail is cut, so the next append starts a clean line
    assert (out / "grades.csv").read_bytes() == (graded["out"] / "grades.csv").read_bytes()


def test_an_internal_error_stays_with_its_submission(course, tmp_path, monkeypatch):
    roster = tmp_path / "roster"
    for student in ("amy", "ben"):
        (roster / student).mkdir(parents=True)
        shutil.copy(BUILTIN_ROOT / "solutions" / "softmax.py", roster / student / "softmax.py")
    real = engine.grade_source

    def flaky(exercise, source, filename, **kwargs):
        if filename.startswith("ben/"):
            raise ValueError("a bug in the grader")
        return real(exercise, source, filename, **kwargs)

    monkeypatch.setattr(engine, "grade_source", flaky)
    out = tmp_path / "report"
    summary = grade_roster(roster, out, course=course, exercises=["softmax"], seed=SEED)
    assert summary.internal_errors == 1 and summary.graded == 2
    assert (out / "grades.csv").read_text() == "student,softmax,total,max_total\namy,10,10,10\nben,0,0,10\n"
    ben = json.loads((out / "results.json").read_text())["students"]["ben"]["exercises"]["softmax"]
    assert ben["error"].startswith("internal error while grading") and "a bug in the grader" in ben["error"]
    assert [l["student"] for l in journal_lines(out)] == ["amy"]  # not journaled: the next run retries it


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("case", ["missing", "file", "empty", "out_is_file", "out_inside", "unknown", "jobs"])
def test_bad_input_is_a_one_line_usage_error(course, tmp_path, case):
    roster = tmp_path / "roster"
    (roster / "alice").mkdir(parents=True)
    out = tmp_path / "report"
    kwargs = {}
    if case == "missing":
        roster = tmp_path / "nowhere"
    elif case == "file":
        roster = tmp_path / "roster.txt"
        roster.write_text("alice\n")
    elif case == "empty":
        roster = tmp_path / "empty"
        roster.mkdir()
        (roster / "README.txt").write_text("no students yet\n")
    elif case == "out_is_file":
        out.write_text("")
    elif case == "out_inside":
        out = roster / "report"
    elif case == "unknown":
        kwargs["exercises"] = ["softmax", "sofmax"]
    elif case == "jobs":
        kwargs["jobs"] = 0
    with pytest.raises(UsageError) as info:
        grade_roster(roster, out, course=course, seed=SEED, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message
    if case == "unknown":
        assert "sofmax" in message


def _hold_report(out: str, entered, release) -> None:
    from d2lcoach.instructor.batch.journal import report_lock
    with report_lock(Path(out)):
        entered.set()
        release.wait(60)


def test_a_second_grade_into_a_report_in_use_is_refused_at_once(course, tmp_path):
    import multiprocessing

    roster, out = tmp_path / "roster", tmp_path / "report"
    (roster / "alice").mkdir(parents=True)
    out.mkdir()
    ctx = multiprocessing.get_context("fork")
    entered, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_report, args=(str(out), entered, release))
    holder.start()
    try:
        assert entered.wait(60)
        with pytest.raises(UsageError) as info:
            grade_roster(roster, out, course=course, seed=SEED)
        assert "another `d2lcoach grade` is writing this report" in str(info.value)
        assert "\n" not in str(info.value)
    finally:
        release.set()
        holder.join(60)
    assert holder.exitcode == 0
    from d2lcoach.instructor.batch.journal import report_lock
    with report_lock(out):  # released by the holder's exit: free again
        pass


# --------------------------------------------------------------------------- the command

@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = typer.Typer()

    @app.callback()
    def main():
        """A stand-in for d2lcoach's own app."""

    app.command("grade")(grade)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["grade", *map(str, args)])


def test_cli_prints_a_summary_table(graded, cli, tmp_path):
    out = copy_report(graded, tmp_path)
    result = cli(graded["roster"], "--out", out, "-e", "softmax", "-e", "conv2d")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    # gru_cell was graded with other limits than the command's: carried over from the journal, not regraded
    for needle in ("exercise", "passed", "failed", "timed out", "mean time", "softmax", "conv2d", "gru_cell",
                   "graded 0, reused 5 from the journal, 6 missing",
                   "kept from the journal without regrading (not asked for with -e): gru_cell"):
        assert needle in result.stdout, result.stdout
    assert (out / "grades.csv").read_bytes() == (graded["out"] / "grades.csv").read_bytes()


def test_cli_json(graded, cli, tmp_path):
    out = copy_report(graded, tmp_path)
    result = cli(graded["roster"], "--out", out, "--exercise", "softmax", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["seed"] != SEED and summary["reused"] == 5 and summary["graded"] == 0  # nothing new to seed
    assert [e["id"] for e in summary["exercises"]] == EXERCISES and summary["carried"] == ["conv2d", "gru_cell"]


@pytest.mark.parametrize("args", [["nowhere", "--out", "report"], ["roster", "--out", "report", "-e", "nope"],
                                  ["roster", "--out", "report", "--device", "tpu"]])
def test_cli_bad_input_exits_2_with_one_line(cli, tmp_path, args):
    (tmp_path / "roster" / "alice").mkdir(parents=True)
    result = cli(*[str(tmp_path / a) if a in ("nowhere", "roster", "report") else a for a in args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output


# --------------------------------------------------------------------------- partial regrades

def test_a_partial_regrade_keeps_every_column(graded, course, tmp_path):
    roster = tmp_path / "roster"
    shutil.copytree(graded["roster"], roster)
    out = copy_report(graded, tmp_path)
    (roster / "bob" / "softmax.py").write_text(WRONG_SOFTMAX + "\n# resubmitted\n")
    shutil.copy(BUILTIN_ROOT / "solutions" / "conv2d.py", roster / "bob" / "conv2d.py")  # new, not asked for
    (roster / "alice" / "conv2d.py").write_text(CRASHING)  # changed, not asked for
    events = []
    summary = grade_roster(roster, out, course=course, exercises=["softmax"], limits=LIMITS,
                           on_result=events.append)
    assert [(e.student, e.exercise) for e in events if e.status == "graded"] == [("bob", "softmax")]
    assert summary.carried == ["conv2d", "gru_cell"]
    assert [e.id for e in summary.exercises] == EXERCISES
    before = (graded["out"] / "grades.csv").read_text().splitlines()
    after = (out / "grades.csv").read_text().splitlines()
    # alice's conv2d keeps its journaled grade; bob's new conv2d is empty (not graded yet), not a 0
    assert after[0] == before[0] and after[1] == before[1] and after[3:] == before[3:]
    assert after[2].split(",")[2] == "" and before[2].split(",")[2] == ""
    document = json.loads((out / "results.json").read_text())
    assert document["carried"] == ["conv2d", "gru_cell"]
    assert document["students"]["alice"]["exercises"]["conv2d"]["status"] == "carried"
    assert document["students"]["alice"]["exercises"]["conv2d"]["passed"] is True
    bob = document["students"]["bob"]["exercises"]["conv2d"]
    assert (bob["status"], bob["points"], bob["verdict"]) == ("not graded", None, "not graded")
    alice = (out / "feedback" / "alice.md").read_text()
    assert "**Total: 25 / 35 points**" in alice and "Carried over from an earlier run" in alice
    assert "`conv2d.py` is handed in but not graded yet" in (out / "feedback" / "bob.md").read_text()


# --------------------------------------------------------------------------- misnamed files, spreadsheets, progress

FORMULA = '=HYPERLINK("evil.example","click")'
MISNAMED = {  # student -> where the reference softmax is handed in (None: not at all)
    FORMULA: "softmax.py",
    "eve": "Softmax.py",
    "fay": "hw1/softmax.py",
    "gus": "softmax.ipynb",
    "hal": "sofmax.py",
}


class RecordingProgress:
    """Stands in for rich's Progress and keeps every description the command shows."""

    descriptions: list[str] = []

    def __init__(self, *args, **kwargs):
        pass

    def start(self):
        pass

    def stop(self):
        pass

    def add_task(self, description, total):
        RecordingProgress.descriptions.append(description)
        return 0

    def update(self, task, completed=None, description=None):
        if description is not None:
            RecordingProgress.descriptions.append(description)


@pytest.fixture(scope="module")
def misnamed(tmp_path_factory):
    root = tmp_path_factory.mktemp("misnamed")
    for student, name in MISNAMED.items():
        target = root / "roster" / student / name
        target.parent.mkdir(parents=True)
        solution = (BUILTIN_ROOT / "solutions" / "softmax.py").read_text()
        if name.endswith(".ipynb"):  # a notebook whose code cell holds the solution
            solution = json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
                {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": solution}]})
        target.write_text(solution)
    app = typer.Typer()

    @app.callback()
    def main():
        """A stand-in for d2lcoach's own app."""

    app.command("grade")(grade)
    patch = pytest.MonkeyPatch()
    patch.setenv("NO_COLOR", "1")
    patch.setattr(cli_instructor, "Progress", RecordingProgress)
    RecordingProgress.descriptions = []
    try:
        result = CliRunner().invoke(app, ["grade", str(root / "roster"), "--out", str(root / "report"),
                                          "-e", "softmax", "-j", "1", "--seed", str(SEED)])
    finally:
        patch.undo()
    assert result.exit_code == 0, result.output
    return {"out": root / "report", "stdout": result.stdout, "descriptions": list(RecordingProgress.descriptions)}


def test_misnamed_files_are_graded_or_named(misnamed):
    csv_lines = (misnamed["out"] / "grades.csv").read_text().splitlines()
    assert csv_lines[1:] == ["\"'=HYPERLINK(\"\"evil.example\"\",\"\"click\"\")\",10,10,10",
                             "eve,10,10,10", "fay,10,10,10", "gus,10,10,10", "hal,,0,10"]
    out = misnamed["stdout"]
    for line in ("eve: Softmax.py was graded as softmax.py (its name differs only in case)",
                 "fay: hw1/softmax.py was graded as softmax.py (it is in the subfolder hw1/)",
                 "gus: softmax was graded from the notebook softmax.ipynb (its functions, read without "
                 "running any cell)",
                 "hal: sofmax.py was not graded: did you mean softmax.py?"):
        assert line in " ".join(out.split()), out
    feedback = misnamed["out"] / "feedback"
    assert "Note: `Softmax.py` was graded as `softmax.py` (its name differs only in case)" in \
        (feedback / "eve.md").read_text()
    assert "Note: `hw1/softmax.py` was graded as `softmax.py`" in (feedback / "fay.md").read_text()
    assert "`softmax` was graded from the notebook `softmax.ipynb`" in (feedback / "gus.md").read_text()
    assert "- `sofmax.py` was not graded: did you mean `softmax.py`?" in (feedback / "hal.md").read_text()
    fay = json.loads((misnamed["out"] / "results.json").read_text())["students"]["fay"]
    assert fay["exercises"]["softmax"]["file"] == "fay/hw1/softmax.py" and fay["ignored"] == []


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_no_cell_can_start_a_formula(text):
    from d2lcoach.text import spreadsheet_safe
    from d2lcoach.text import clean
    assert spreadsheet_safe(text) == "'" + clean(text, one_line=True)  # a tab or CR is escaped too: \\x09
    assert spreadsheet_safe("alice") == "alice"


def test_the_progress_bar_names_what_is_running(misnamed):
    shown = [d for d in misnamed["descriptions"] if d != "grading"]
    assert {"grading eve/softmax", "grading fay/softmax"} <= set(shown), shown
    assert "grading gus/softmax" in shown  # graded from its notebook
    assert not any("hal/" in d for d in shown), shown  # handed in nothing to grade
