"""Instructors' platforms: Canvas, Moodle and GitHub Classroom downloads in, LMS gradebooks out, and the
Gradescope autograder bundle run in a fake /autograder tree."""

from __future__ import annotations

import csv
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

from d2lcoach.cli import app
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
    feedback = (grade.report / "feedback" / "doejane_1002.md").read_text()
    assert "graded from your newest resubmission, doejane_1002_5009_cross_entropy-1.py" in feedback
    assert "doejane_1002_5003_cross_entropy.py not graded: an older hand-in" in feedback
    assert "no exercise of this course" not in feedback


ELODIE = "Élodie Brûlé"


def test_zip_member_names_are_decoded_as_the_zip_says(tmp_path):
    from d2lcoach.lms import member_name
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
    assert (grade.report / "feedback" / "Élodie_Brûlé_203.md").is_file()  # letters kept, none dropped
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
            assert "softmax: values (cpu)" in names
            assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(25, abs=0.01)
        else:
            assert results["score"] == 0
            assert any(t["status"] == "failed" for t in results["tests"] if t["name"].startswith("softmax"))
            assert "conv2d: handed in" in names
