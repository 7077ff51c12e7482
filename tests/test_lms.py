"""Instructors' platforms: Canvas, Moodle and GitHub Classroom downloads in, LMS gradebooks out, and the
Gradescope autograder bundle run in a fake /autograder tree."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import jsonschema
import nbformat
import pytest
from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT

SOFTMAX = (BUILTIN_ROOT / "solutions" / "softmax.py").read_text()
SOFTMAX_STUB = (BUILTIN_ROOT / "exercises" / "softmax.py").read_text()
CONV2D = (BUILTIN_ROOT / "solutions" / "conv2d.py").read_text()
CROSS_ENTROPY = (BUILTIN_ROOT / "solutions" / "cross_entropy.py").read_text()
CROSS_ENTROPY_STUB = (BUILTIN_ROOT / "exercises" / "cross_entropy.py").read_text()


def notebook_text(*sources: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# homework")] + [nbformat.v4.new_code_cell(s) for s in sources]
    return nbformat.writes(nb)


def make_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def unicode_path_extra(name: bytes, crc_of: bytes | None = None) -> bytes:
    """Info-ZIP's Unicode Path extra field (0x7075): version 1, CRC-32 of the header's name, UTF-8 name."""
    crc = zlib.crc32(name if crc_of is None else crc_of)
    return struct.pack("<HHBI", 0x7075, 5 + len(name), 1, crc) + name


def infozip_zip(path: Path, members: list[tuple[bytes, str, bytes]]) -> Path:
    """A zip as Info-ZIP's `zip` writes it: each member's header name is raw bytes (the locale's UTF-8 on
    Linux) with flag bit 11 unset, and `extra` (a Unicode Path field, or b"") beside it. zipfile would set
    bit 11 for a non-ASCII name, so each is written under an ASCII stand-in of the same length whose bytes
    are then replaced, in the local and the central header alike."""
    stand_ins = []
    with zipfile.ZipFile(path, "w") as zf:
        for number, (raw, text, extra) in enumerate(members):
            stand_in = str(number).rjust(len(raw), "Z")
            info = zipfile.ZipInfo(stand_in)
            info.extra = extra
            zf.writestr(info, text)
            stand_ins.append((stand_in.encode("ascii"), raw))
    data = path.read_bytes()
    for stand_in, raw in stand_ins:
        assert data.count(stand_in) == 2  # the local header and the central directory
        data = data.replace(stand_in, raw)
    path.write_bytes(data)
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
    return read_csv_text(path.read_text())


def read_csv_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def one_line_error(result, needle):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.output, result.output


# Moodle's assignment grading worksheet importer, as moodle/moodle has it:
# mod/assign/feedback/offline/importgradeslib.php, init() (the columns found by exact header, the file
# refused without Identifier, Grade and Last modified (grade); a feedback column kept only when its index
# is not 0) and next() (the participant id is the Identifier less strlen('Participant ')); locallib.php,
# process_import_grades() (an empty grade is skipped); lib/csvlib.class.php (a UTF-8 BOM dropped, every
# row as long as the header, fgetcsv with PHP's backslash escape).
def moodle_import(text: str) -> dict[str, dict]:
    assert '\\"' not in text, "PHP's fgetcsv reads a backslash before a quote as an escape"
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff").replace("\r\n", "\n").strip())))
    columns, records = table[0], table[1:]
    assert all(len(record) == len(columns) for record in records), "csvweirdcolumns"
    index = {name: columns.index(name) for name in ("Identifier", "Grade", "Last modified (grade)")
             if name in columns}
    if len(index) < 3:
        raise ValueError("invalidgradeimport")
    feedback = columns.index("Feedback comments") if "Feedback comments" in columns else 0
    imported = {}
    for record in records:
        participant = record[index["Identifier"]][len("Participant "):]
        grade = record[index["Grade"]]
        modified = dt.datetime.fromisoformat(record[index["Last modified (grade)"]])  # strtotime must read it
        imported[participant] = {"grade": None if grade == "" else float(grade), "modified": modified,
                                 "feedback": record[feedback] if feedback else None}
    return imported


# Canvas's gradebook import: the identity columns, then each column is an assignment, matched by the
# "(id)" ending its name or by its name; any other column becomes a new assignment.
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_new_assignments(text: str, assignments: dict[str, str]) -> list[str]:
    header = next(csv.reader(io.StringIO(text)))
    assert header[:5] == CANVAS_IDENTITY
    known = set(assignments) | {f"{name} ({aid})" for aid, name in assignments.items()}
    return [column for column in header[5:] if column not in known
            and not any(column.endswith(f"({aid})") for aid in assignments)]


def test_grade_class_grades_an_export_from_python_without_the_cli(tmp_path):
    """The workflow behind `d2lcoach grade` is one function: an LMS export in, the report, the identities,
    the notes in the feedback and the gradebook out, and what it did returned rather than printed."""
    from d2lcoach.instructor import grade_class
    export = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1001_5001_softmax.py": SOFTMAX,
        "smithjohn_1001_5004_notes.txt": "my notes",
        "doejane_LATE_1002_5002_softmax.py": SOFTMAX_STUB,
    })
    started = []
    done = grade_class(export, tmp_path / "report", fmt="canvas", exercises=["softmax"], jobs=1, seed=11,
                       on_start=lambda executor, warning: started.append(executor))
    assert started == [None]  # told once, before the grading, that the local pool grades
    assert (done.export_format, done.students_found, done.converted) == ("canvas", 2, True)
    assert done.unplaced == ["smithjohn_1001: smithjohn_1001_5004_notes.txt was not graded: no exercise of this course"]
    assert [p.name for p in done.gradebooks] == ["canvas-feedback.zip", "gradebook-canvas.csv", "canvas-notes.csv"]
    assert (done.summary.graded, done.summary.seed) == (2, 11)
    rows = {row[1]: row[5:] for row in read_csv(tmp_path / "report" / "gradebook-canvas.csv")[2:]}
    assert rows == {"1001": ["10"], "1002": ["0"]}
    assert "jane" in json.loads((tmp_path / "report" / "students.json").read_text())["students"]["doejane_1002"]["name"].lower()
    assert "handed in late" in (tmp_path / "report" / "feedback" / "doejane_1002.md").read_text()
    assert done.to_json()["format"] == "canvas" and done.to_json()["unplaced"] == done.unplaced


def test_a_canvas_zip_is_graded_into_a_canvas_gradebook(tmp_path, grade):
    export = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1001_5001_softmax.py": SOFTMAX,
        "smithjohn_1001_5004_notes.txt": "my notes",
        "doejane_LATE_1002_5002_softmax-1.py": SOFTMAX_STUB,  # resubmitted, late
        "doejane_1002_5003_homework.ipynb": notebook_text("import torch\n", CONV2D, "conv2d(X, K)\n"),
    })
    result = grade(export, "-e", "softmax", "-e", "conv2d", "--format", "canvas", "--assignment",
                   "Homework 1 (4321)")
    assert result.exit_code == 0, result.output
    assert "found a canvas export: 2 students" in result.output
    assert "smithjohn_1001: smithjohn_1001_5004_notes.txt" in result.output  # listed, not dropped
    text = (grade.report / "gradebook-canvas.csv").read_text()
    assert canvas_new_assignments(text, {"4321": "Homework 1"}) == []  # no total, no late column
    rows = read_csv(grade.report / "gradebook-canvas.csv")
    assert rows[0] == [*CANVAS_IDENTITY, "Homework 1 (4321)"]
    assert rows[1][0] == "Points Possible" and rows[1][5:] == ["25"]
    by_id = {row[1]: row for row in rows[2:]}
    assert by_id["1001"][5:] == ["10"]  # conv2d missing: nothing added
    assert by_id["1002"][5:] == ["15"]  # the stub scores 0; conv2d graded from the notebook
    notes = {row[1]: row for row in read_csv(grade.report / "canvas-notes.csv")[1:]}
    assert notes["1002"][2] == "late" and notes["1001"][2] == ""  # the late flag, out of the import file
    assert "not for import (late flags, notes):" in result.output
    from d2lcoach.instructor.gradebook import gradebooks
    identities = json.loads((grade.report / "students.json").read_text())
    per_exercise = gradebooks("canvas", grade.report, identities, per_exercise=True,
                              assignment={"softmax": "Softmax (11)", "conv2d": "Conv2d (12)"})[0].text
    assert canvas_new_assignments(per_exercise, {"11": "Softmax", "12": "Conv2d"}) == []
    rows = read_csv_text(per_exercise)
    assert rows[0][5:] == ["Softmax (11)", "Conv2d (12)"] and rows[1][5:] == ["10", "15"]
    assert {row[1]: row[5:] for row in rows[2:]} == {"1001": ["10", ""], "1002": ["0", "15"]}
    with_total = gradebooks("canvas", grade.report, identities, per_exercise=True,
                            assignment={"total": "Homework 1 (4321)"})[0].text  # asked for: then it is there
    assert read_csv_text(with_total)[0][5:] == ["softmax", "conv2d", "Homework 1 (4321)"]
    assert {row[1]: row[7] for row in read_csv_text(with_total)[2:]} == {"1001": "10", "1002": "15"}
    identities = json.loads((grade.report / "students.json").read_text())
    jane = identities["students"]["doejane_1002"]
    assert jane["late"] is True and jane["id"] == "1002"
    assert any("homework.ipynb" in note for note in jane["notes"])
    assert "- handed in late (the LMS marked it so)" in (grade.report / "feedback" / "doejane_1002.md").read_text()


def test_a_moodle_worksheet_imports_with_grades_and_feedback(tmp_path, grade):
    export = tmp_path / "moodle"
    jane = export / "Jane Doe_12345_assignsubmission_file_"
    jane.mkdir(parents=True)
    (jane / "softmax.py").write_text(SOFTMAX)
    bob = export / "Bob, Jr. Roe_12346_assignsubmission_file_"
    bob.mkdir(parents=True)
    (bob / 'notes \\"v2\\".txt').write_text("nothing to grade")  # a backslash before a quote: PHP's escape
    result = grade(export, "-e", "softmax", "-e", "cross_entropy", "--format", "moodle")
    assert result.exit_code == 0, result.output
    imported = moodle_import((grade.report / "gradebook-moodle.csv").read_text(encoding="utf-8"))
    assert set(imported) == {"12345", "12346"}
    assert imported["12345"]["grade"] == 10  # the total: cross_entropy missing adds nothing
    assert imported["12346"]["grade"] is None  # nothing handed in: skipped by Moodle, never a 0
    assert imported["12345"]["modified"].tzinfo is not None
    feedback = imported["12345"]["feedback"]
    assert feedback.startswith("<pre># Feedback for Jane Doe&#10;") and "## cross_entropy" in feedback
    assert html.unescape(feedback).count("\n") > 5  # the lines are kept, as HTML
    assert 'notes \\"v2\\".txt' in html.unescape(imported["12346"]["feedback"])
    rows = read_csv(grade.report / "gradebook-moodle.csv")
    assert rows[0][:5] == ["Identifier", "Full name", "Grade", "Maximum Grade", "Late"]
    assert rows[1][1:4] == ["Bob, Jr. Roe", "", "20"]

    from d2lcoach.instructor.gradebook import gradebooks
    identities = json.loads((grade.report / "students.json").read_text())
    sheets = gradebooks("moodle", grade.report, identities, per_exercise=True)
    assert [s.name for s in sheets] == ["gradebook-moodle-softmax.csv", "gradebook-moodle-cross_entropy.csv"]
    softmax, cross_entropy = (moodle_import(s.text) for s in sheets)
    assert softmax["12345"]["grade"] == 10 and cross_entropy["12345"]["grade"] is None
    assert "## softmax" in softmax["12345"]["feedback"] and "## cross_entropy" not in softmax["12345"]["feedback"]
    assert "## cross_entropy" in cross_entropy["12345"]["feedback"]


def test_the_moodle_importer_model_refuses_the_old_gradebook():
    with pytest.raises(ValueError, match="invalidgradeimport"):  # the headers of the gradebook before #25
        moodle_import("Full name,Identifier,softmax,d2lcoach total\nJane Doe,Participant 12345,10,10\n")


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


def test_a_bad_assignment_name_is_a_one_line_error(tmp_path, grade):
    one_line_error(grade(tmp_path, "--assignment", "Homework 1", "--assignment", "Homework 2"), "twice")
    one_line_error(grade(tmp_path, "--assignment", " "), "empty assignment name")


def test_gradebook_names_never_become_formulas(tmp_path, grade):
    export = make_zip(tmp_path / "submissions.zip", {"=cmd_1001_5001_softmax.py": SOFTMAX})
    assert grade(export, "-e", "softmax", "--format", "canvas").exit_code == 0
    rows = read_csv(grade.report / "gradebook-canvas.csv")
    assert rows[2][:2] == ["'=cmd", "1001"]


def test_the_newest_canvas_resubmission_is_graded_and_named(tmp_path, grade):
    # The older hand-in sorts first (its submission id is smaller): it used to be graded, and the
    # resubmission listed as "no exercise of this course".
    export = make_zip(tmp_path / "submissions.zip", {
        "doejane_1002_5003_cross_entropy.py": CROSS_ENTROPY_STUB,
        "doejane_1002_5009_cross_entropy-1.py": CROSS_ENTROPY,
    })
    result = grade(export, "-e", "cross_entropy")
    assert result.exit_code == 0, result.output
    assert read_csv(grade.report / "grades.csv")[1][:2] == ["doejane_1002", "10"]
    from d2lcoach.instructor.gradebook import gradebooks
    sheet = gradebooks("moodle", grade.report, None, per_exercise=True)[0].text  # the exercise's notes too
    assert "graded from your newest resubmission, doejane_1002_5009_cross_entropy-1.py" in html.unescape(sheet)
    feedback = (grade.report / "feedback" / "doejane_1002.md").read_text()
    assert "graded from your newest resubmission, doejane_1002_5009_cross_entropy-1.py" in feedback
    assert "doejane_1002_5003_cross_entropy.py not graded: an older hand-in" in feedback
    assert "no exercise of this course" not in feedback


ELODIE = "Élodie Brûlé"


def test_zip_member_names_are_decoded_as_the_zip_says(tmp_path):
    from d2lcoach.instructor.lms import member_name
    utf8 = ELODIE.encode("utf-8")
    cp437 = "Müller".encode("cp437")  # b"M\x81ller": not UTF-8
    archive = infozip_zip(tmp_path / "names.zip", [
        (utf8 + b"/a.py", "", unicode_path_extra(utf8 + b"/a.py")),  # Info-ZIP on Linux
        (b"eloise/b.py", "", unicode_path_extra(utf8 + b"/b.py", crc_of=b"eloise/b.py")),  # the field wins
        (b"stale/c.py", "", unicode_path_extra(utf8 + b"/c.py", crc_of=b"renamed")),  # CRC of another name
        (cp437 + b"/d.py", "", b""),  # a DOS zip: CP437, no field
        (utf8 + b"/e.py", "", b""),  # UTF-8 bytes without the flag or the field (macOS, Linux tools)
    ])
    make_zip(tmp_path / "flagged.zip", {ELODIE + "/f.py": ""})  # zipfile sets bit 11 for this name
    with zipfile.ZipFile(archive) as zf:
        names = [member_name(m) for m in zf.infolist()]
        assert zf.infolist()[0].filename.startswith("├ëlodie Br├╗l├⌐")  # what Python alone reads
    with zipfile.ZipFile(tmp_path / "flagged.zip") as zf:
        names += [member_name(m) for m in zf.infolist()]
    assert names == [f"{ELODIE}/a.py", f"{ELODIE}/b.py", "stale/c.py", "Müller/d.py", f"{ELODIE}/e.py",
                     f"{ELODIE}/f.py"]


def test_a_unicode_name_from_an_infozip_moodle_zip_round_trips(tmp_path, grade):
    folder = f"{ELODIE}_203_assignsubmission_file_/softmax.py".encode("utf-8")
    export = infozip_zip(tmp_path / "moodle.zip", [(folder, SOFTMAX, unicode_path_extra(folder))])
    result = grade(export, "-e", "softmax", "--format", "moodle")
    assert result.exit_code == 0, result.output
    assert "├" not in result.output
    elodie = json.loads((grade.report / "students.json").read_text())["students"]["Élodie_Brûlé_203"]
    assert elodie["name"] == ELODIE and elodie["id"] == "203"
    feedback = (grade.report / "feedback" / "Élodie_Brûlé_203.md").read_text()  # letters kept, none dropped
    assert feedback.startswith(f"# Feedback for {ELODIE}\n")  # her name, not the folder's
    assert read_csv(grade.report / "grades.csv")[1][:2] == ["Élodie_Brûlé_203", "10"]
    assert ELODIE in (grade.report / "gradebook-moodle.csv").read_text(encoding="utf-8")


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
            "d2lcoach-src/graders/softmax.py", "d2lcoach-src/d2lcoach/cli/main.py"} <= set(names)
    assert "bubblewrap" in zipfile.ZipFile(bundle).read("setup.sh").decode()

    from d2lcoach.instructor.gradescope import unpack_bundle
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
