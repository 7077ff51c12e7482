"""Hostile files, names and folders handed in around the code: submissions are read as data.

Each test builds an attack in tmp_path as a student (or a forged export) would: a link to a
classmate's file or folder, to /dev/zero or to the reference solution, a FIFO, a huge file, a zip
member that is a link or leaves the archive, a newline in a file name, a folder that takes another
student's row, escapes in a name. Graded students are few, and each grades the cheapest exercise.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT, load_course
from d2lcoach.instructor.lms import ROSTER as ROSTER_FORMAT, Export, Student, build_roster
from tests.test_lms import grade  # noqa: F401  (the fixture: `grade SOURCE --out REPORT --jobs 1 --seed 11`)

SOFTMAX = (BUILTIN_ROOT / "solutions" / "softmax.py").read_text()
SOFTMAX_STUB = (BUILTIN_ROOT / "exercises" / "softmax.py").read_text()
ONLY = ("-e", "softmax")  # the cheapest exercise
LINK_NOTE = "is a symbolic link: submissions are read as data, links are not followed"
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def grades(report: Path, name: str = "grades.csv") -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO((report / name).read_text(encoding="utf-8"))))
    return {row[0]: row[1:] for row in rows[1:]}


def distinctive_line(source: str) -> str:
    """A line of the reference solution that no stub or message holds (to see it leak into feedback)."""
    return max((line.strip() for line in source.splitlines() if "return" in line or "=" in line), key=len)


def test_links_fifos_and_huge_files_in_a_roster_earn_nothing(tmp_path, grade):
    roster = tmp_path / "roster"
    for name in ("alice", "eve", "mallory", "nina", "pip", "zed", "big"):
        (roster / name).mkdir(parents=True)
    (roster / "alice" / "softmax.py").write_text(SOFTMAX)
    (roster / "mallory" / "softmax.py").symlink_to("../alice/softmax.py")  # a classmate's file
    (roster / "eve" / "hw1").symlink_to("../alice", target_is_directory=True)  # the single-subfolder rule
    (tmp_path / "answers.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                        "cells": [{"cell_type": "code", "metadata": {},
                                                                   "source": SOFTMAX, "outputs": [],
                                                                   "execution_count": None}]}))
    (roster / "nina" / "softmax.ipynb").symlink_to(tmp_path / "answers.ipynb")  # a notebook out of the folder
    os.mkfifo(roster / "pip" / "softmax.py")  # a read would block forever
    (roster / "zed" / "softmax.py").symlink_to("/dev/zero")  # a read would never end
    with open(roster / "big" / "softmax.py", "wb") as sparse:
        sparse.truncate(3 << 30)
    result = grade(roster, *ONLY)
    assert result.exit_code == 0, result.output
    rows = grades(grade.report)
    assert rows["alice"][0] == "10"
    for student in ("mallory", "nina", "pip", "zed", "big"):
        assert rows[student][0] == "0", (student, rows)
    assert rows["eve"][0] == ""  # the linked subfolder is not hers: nothing was handed in
    feedback = grade.report / "feedback"
    mallory = (feedback / "mallory.md").read_text()
    assert f"softmax.py {LINK_NOTE}" in mallory and distinctive_line(SOFTMAX) not in mallory
    assert f"`hw1` {LINK_NOTE}" in (feedback / "eve.md").read_text()
    assert f"softmax.ipynb {LINK_NOTE}" in (feedback / "nina.md").read_text()
    assert "is not a regular file (a FIFO)" in (feedback / "pip.md").read_text()
    assert f"softmax.py {LINK_NOTE}" in (feedback / "zed.md").read_text()
    assert "may be at most 1 MiB" in (feedback / "big.md").read_text()


def test_a_canvas_download_with_links_is_read_as_data(tmp_path, grade):
    export = tmp_path / "canvas"
    export.mkdir()
    (export / "smithalice_1001_5001_softmax.py").write_text(SOFTMAX)
    (export / "mallory_1002_5002_softmax.py").symlink_to("smithalice_1001_5001_softmax.py")
    (export / "zed_1003_5003_softmax.py").symlink_to("/dev/zero")
    result = grade(export, "--format", "canvas", *ONLY)
    assert result.exit_code == 0, result.output
    rows = grades(grade.report)
    assert rows["smithalice_1001"][0] == "10"
    assert rows["mallory_1002"][0] in ("", "0") and rows["zed_1003"][0] in ("", "0"), rows
    mallory = (grade.report / "feedback" / "mallory_1002.md").read_text()
    assert f"mallory_1002_5002_softmax.py {LINK_NOTE}" in mallory and distinctive_line(SOFTMAX) not in mallory
    assert f"zed_1003_5003_softmax.py {LINK_NOTE}" in (grade.report / "feedback" / "zed_1003.md").read_text()


def test_a_zip_member_that_is_a_link_leaves_the_archive_or_is_huge_is_set_aside(tmp_path, grade):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("smithalice_1001_5001_softmax.py", SOFTMAX)
        link = zipfile.ZipInfo("mallory_1002_5002_softmax.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "smithalice_1001_5001_softmax.py")
        zf.writestr("../evil_1003_5003_softmax.py", SOFTMAX)
        zf.writestr("bob_1004_5004_softmax.py", b"#" * (33 << 20))  # deflates to almost nothing
    result = grade(archive, *ONLY)
    assert result.exit_code == 0, result.output
    assert grades(grade.report)["smithalice_1001"][0] == "10"
    said = " ".join(result.output.split())
    assert "mallory_1002_5002_softmax.py: not unpacked from the zip: a symbolic link" in said
    assert "../evil_1003_5003_softmax.py: not unpacked from the zip: a path outside the archive" in said
    assert "bob_1004_5004_softmax.py: not unpacked from the zip:" in said
    assert not (tmp_path / "evil_1003_5003_softmax.py").exists()


def test_a_newline_in_one_file_name_sets_that_file_aside_not_the_class(tmp_path, grade):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("smithalice_1001_5001_softmax.py", SOFTMAX)
        zf.writestr("bob_1002_5002_soft\nmax.py", SOFTMAX)
        zf.writestr("no student\n.py", SOFTMAX)
    result = grade(archive, "--format", "canvas", *ONLY)
    assert result.exit_code == 0, result.output
    assert grades(grade.report)["smithalice_1001"][0] == "10"
    assert "bob_1002_5002_soft\\x0amax.py" in result.output  # listed, on one line, for bob only
    assert "no student\\x0a.py: not a Canvas submission file name" in " ".join(result.output.split())
    identities = json.loads((grade.report / "students.json").read_text())
    assert identities["students"]["bob_1002"]["unplaced"] == ["bob_1002_5002_soft\\x0amax.py"]


def test_a_newline_in_a_roster_file_name_stays_on_one_line(tmp_path, grade):
    (tmp_path / "roster" / "bob").mkdir(parents=True)
    (tmp_path / "roster" / "bob" / "soft\nmax.py").write_text(SOFTMAX)
    result = grade(tmp_path / "roster", *ONLY)
    assert result.exit_code == 0, result.output
    line = "`soft\\x0amax.py` was not graded: did you mean `softmax.py`?"
    assert f"- {line}" in (grade.report / "feedback" / "bob.md").read_text().splitlines()  # one whole line
    assert "bob: soft\\x0amax.py was not graded" in result.output


def test_a_folder_named_like_a_classmate_does_not_take_their_row(tmp_path, grade):
    export = tmp_path / "classroom"
    for login, source in (("alice", SOFTMAX), ("_alice", SOFTMAX_STUB)):
        repo = export / f"hw1-softmax-{login}"
        (repo / ".git").mkdir(parents=True)
        (repo / "softmax.py").write_text(source)
    result = grade(export, *ONLY)
    assert result.exit_code == 0, result.output
    assert {k: v[0] for k, v in grades(grade.report).items()} == {"_alice": "0", "alice": "10"}


def test_a_roster_key_collision_is_reported_never_renamed(tmp_path):
    folders = [tmp_path / "export" / name for name in ("one", "two")]
    for folder in folders:
        folder.mkdir(parents=True)
        (folder / "softmax.py").write_text(SOFTMAX_STUB)
    export = Export(ROSTER_FORMAT, tmp_path / "export", [
        Student(key="alice", name="Alice", files=[folders[0] / "softmax.py"]),
        Student(key="alice", name="Impostor", files=[folders[1] / "softmax.py"])], [])
    placements = build_roster(export, load_course(), tmp_path / "roster")
    assert [p.student.name for p in placements] == ["Alice"]
    assert sorted(os.listdir(tmp_path / "roster")) == ["alice"]
    assert export.set_aside == ["Impostor: not graded: its roster key alice is Alice's too"]


def test_control_characters_never_reach_a_gradebook(tmp_path, grade):
    name = "\x1b]0;graded 10 of 10\x07\x1b[2KMallory\u202ehtimS ecilA"  # OSC title, ESC erase line, RTL override
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{name}_12345_assignsubmission_file_/softmax.py", SOFTMAX_STUB)
        zf.writestr("Bob Jones_12346_assignsubmission_file_/softmax.py", SOFTMAX_STUB)
    result = grade(archive, "--format", "moodle", *ONLY)
    assert result.exit_code == 0, result.output
    for report in ("gradebook-moodle.csv", "grades.csv"):
        text = (grade.report / report).read_text(encoding="utf-8")
        assert not CONTROL.search(text.replace("\n", "")), (report, text)
    header, row = list(csv.reader(io.StringIO((grade.report / "gradebook-moodle.csv").read_text())))[:2]
    assert header[:2] == ["Identifier", "Full name"]
    assert row[:2] == ["Participant 12345", "\\x1b]0;graded 10 of 10\\x07\\x1b[2KMallory\\u202ehtimS ecilA"]


def test_control_characters_in_a_roster_folder_never_reach_a_report(tmp_path, grade):
    name = "\x1b]0;ok\x07\x1b[2KMallory\u202eecilA"
    (tmp_path / "roster" / name).mkdir(parents=True)
    (tmp_path / "roster" / name / "sofmax.py").write_text(SOFTMAX_STUB)  # a did-you-mean note names the student
    result = grade(tmp_path / "roster", *ONLY)
    assert result.exit_code == 0, result.output
    assert not CONTROL.search(result.output.replace("\n", ""))
    for report in ("grades.csv", "results.json", f"feedback/{name}.md"):
        text = (grade.report / report).read_text(encoding="utf-8")
        assert not CONTROL.search(text.replace("\n", "")), (report, text)


def test_a_gradescope_link_to_the_reference_solution_earns_nothing(tmp_path):
    from d2lcoach.instructor.gradescope import run
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "softmax.py").symlink_to(BUILTIN_ROOT / "solutions" / "softmax.py")
    done = run(submission, tmp_path / "results" / "results.json", load_course(), ["softmax"], seed=11)
    assert done.results["score"] == 0
    [test] = done.results["tests"]
    assert test["score"] == 0 and f"softmax.py {LINK_NOTE}" in test["output"]


def test_check_file_does_not_follow_a_link(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    link = tmp_path / "softmax.py"
    link.symlink_to(BUILTIN_ROOT / "solutions" / "softmax.py")
    result = CliRunner().invoke(app, ["check", "softmax", "--file", str(link)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and LINK_NOTE in lines[0] and "Traceback" not in result.output
