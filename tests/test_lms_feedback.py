"""Feedback back into the LMS: Canvas's re-upload zip and Moodle's feedback-files zip, each read with the
rules of the importer it targets; and Canvas file names as Canvas writes them today."""

from __future__ import annotations

import os
import re
import zipfile

from d2lcoach.instructor.lms import canvas_name
from tests.test_lms import CONV2D, SOFTMAX, SOFTMAX_STUB, grade, make_zip, read_csv  # noqa: F401 (fixture)


# Canvas's Assignment#infer_comment_context_from_filename (app/models/assignment.rb): the member's base
# name split on "_", the first two all-digit parts are the user id and the attachment id; the file is
# ignored unless the attachment is one of that user's submission's attachments, or the name starts "._".
def canvas_reupload(data: bytes, submissions: dict[str, set[str]]) -> tuple[dict[str, str], list[str]]:
    attached, ignored = {}, []
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        for member in zf.namelist():
            base = member.rsplit("/", 1)[-1]
            numbers = [part for part in base.split("_") if re.fullmatch(r"\d+", part)][:2]
            if base.startswith("._") or len(numbers) < 2 or numbers[1] not in submissions.get(numbers[0], ()):
                ignored.append(member)
                continue
            attached[numbers[0]] = zf.read(member).decode("utf-8")
    return attached, ignored


# Moodle's assignfeedback_file_zip_importer::is_valid_filename_for_import (mod/assign/feedback/file/
# importziplib.php, Moodle 4.1+): hidden files skipped; each path part split on "_" into at most 5 pieces;
# a part of 4 or more whose second piece is a participant's id and whose third and fourth name a plugin of
# the assignment gives the user, and the rest of the path is the file's name. Before 4.1 the whole path
# ("/" and the name, for a file at the top) was split once, into exactly 5 pieces.
def moodle_upload(data: bytes, participants: set[str]) -> dict[str, tuple[str, str]]:
    found = {}
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        for member in zf.namelist():
            if member.endswith("/") or member.rsplit("/", 1)[-1].startswith((".", "~")):
                continue
            parts = member.split("/")
            while parts:
                info = parts.pop(0).split("_", 4)
                if len(info) < 4 or not info[1].isdigit() or info[1] not in participants:
                    continue
                assert (info[2], info[3]) == ("assignfeedback", "file"), member
                filename = "/".join([info[4] if len(info) == 5 else "", *parts])
                found[info[1]] = (filename, zf.read(member).decode("utf-8"))
                found_id = info[1]
                break
            else:
                raise AssertionError(f"{member}: no participant")
            old = ("/" + member).split("_", 4)  # Moodle 3.x: get_filepath() . get_filename(), split once
            assert len(old) == 5 and old[1:4] == [found_id, "assignfeedback", "file"], member
            assert old[4] == found[found_id][0], member
    return found


def test_canvas_names_as_canvas_writes_them_today():
    # ContentZipper#get_filename: [sortable name, 'LATE', user id].join('_'), then downcased, \W removed.
    late = canvas_name("doejane_late_1002_5002_softmax.py")
    assert (late.name, late.late, late.user_id, late.attachment_id, late.file) == (
        "doejane", True, "1002", "5002", "softmax.py")
    assert canvas_name("doejane_LATE_1002_5002_softmax.py").late  # older Canvas
    underscored = canvas_name("o_brienpat_1003_5003_my_softmax.py")  # [[:word:]] keeps "_" in a name
    assert (underscored.name, underscored.user_id, underscored.file) == ("o_brienpat", "1003", "my_softmax.py")
    assert canvas_name("élodiebrûlé_1004_5004_softmax.py").name == "élodiebrûlé"
    assert canvas_name("doejane_1002_softmax.py") is None and canvas_name("softmax.py") is None


def test_a_late_canvas_file_is_graded_and_flagged(tmp_path, grade):
    export = make_zip(tmp_path / "submissions.zip", {"doejane_late_1002_5002_softmax.py": SOFTMAX,
                                                     "o_brienpat_1003_5003_softmax.py": SOFTMAX})
    result = grade(export, "-e", "softmax")
    assert result.exit_code == 0, result.output
    assert "found a canvas export: 2 students" in result.output
    assert {row[0]: row[1] for row in read_csv(grade.report / "grades.csv")[1:]} == {
        "doejane_1002": "10", "o_brienpat_1003": "10"}
    assert "handed in late" in (grade.report / "feedback" / "doejane_1002.md").read_text()


def test_canvas_feedback_zip_reuploads_onto_each_submission(tmp_path, grade):
    export = make_zip(tmp_path / "submissions.zip", {
        "smithjohn_1001_5001_softmax.py": SOFTMAX,
        "doejane_late_1002_5002_softmax.py": SOFTMAX_STUB,
        "doejane_1002_5007_conv2d.py": CONV2D,
        "o_brienpat_1003_5003_softmax.py": SOFTMAX,
    })
    result = grade(export, "-e", "softmax", "-e", "conv2d", "--format", "canvas")
    assert result.exit_code == 0, result.output
    upload = grade.report / "canvas-feedback.zip"
    assert f"feedback for the LMS's bulk upload (docs/lms.md): {upload}" in result.output.replace("\n", "")
    submissions = {"1001": {"5001"}, "1002": {"5002", "5007"}, "1003": {"5003"}}
    attached, ignored = canvas_reupload(upload.read_bytes(), submissions)
    assert ignored == [] and set(attached) == {"1001", "1002", "1003"}
    assert attached["1002"] == (grade.report / "feedback" / "doejane_1002.md").read_text()
    assert "## softmax" in attached["1001"] and "handed in late" in attached["1002"]
    names = zipfile.ZipFile(upload).namelist()
    assert "doejane_1002_5007_d2lcoach-feedback.txt" in names  # the newest attachment's prefix
    assert not (grade.report / "moodle-feedback.zip").exists()


def test_moodle_feedback_zip_uploads_onto_each_participant(tmp_path, grade):
    export = tmp_path / "moodle"
    for folder, text in (("Jane Doe_12345_assignsubmission_file_", SOFTMAX),
                         ("Pat_O Brien_12346_assignsubmission_file_", SOFTMAX_STUB),  # "_" in a name
                         ("Élodie Brûlé_12347_assignsubmission_file_", SOFTMAX)):
        (export / folder).mkdir(parents=True)
        (export / folder / "softmax.py").write_text(text)
    result = grade(export, "-e", "softmax", "--format", "moodle")
    assert result.exit_code == 0, result.output
    found = moodle_upload((grade.report / "moodle-feedback.zip").read_bytes(), {"12345", "12346", "12347"})
    assert set(found) == {"12345", "12346", "12347"}
    assert {filename for filename, _ in found.values()} == {"d2lcoach-feedback.txt"}
    assert found["12347"][1].startswith("# Feedback for Élodie Brûlé")
    assert "0 / 10" in found["12346"][1] or "0/10" in found["12346"][1].replace(" ", "")


def test_rosters_and_github_classroom_write_no_upload(tmp_path, grade):
    roster = tmp_path / "roster" / "alice"
    roster.mkdir(parents=True)
    (roster / "softmax.py").write_text(SOFTMAX)
    assert grade(roster.parent, "-e", "softmax").exit_code == 0
    assert not list(grade.report.glob("*.zip"))


def test_the_gradescope_bundle_ships_only_the_chosen_exercises(tmp_path):
    from typer.testing import CliRunner

    from d2lcoach.cli.main import app
    from d2lcoach.course import load_course
    from d2lcoach.instructor.gradescope import unpack_bundle
    bundle = tmp_path / "autograder.zip"
    built = CliRunner().invoke(app, ["gradescope", "build", "-o", str(bundle), "-e", "softmax", "-e", "conv2d"])
    assert built.exit_code == 0, built.output
    names = set(zipfile.ZipFile(bundle).namelist())
    for folder in ("exercises", "solutions", "graders"):
        shipped = {n.split("/")[2].split(".")[0] for n in names if n.startswith(f"d2lcoach-src/{folder}/")}
        assert shipped == {"softmax", "conv2d"}, (folder, shipped)
    source = unpack_bundle(bundle, tmp_path / "autograder")
    course = load_course(source / "d2lcoach-src" / "course.yaml")  # the cut manifest is a whole course
    assert [e.id for e in course.exercises] == [i for i in load_course().ids if i in ("softmax", "conv2d")]
    assert os.access(source / "run_autograder", os.X_OK)


def test_lms_files_are_explained_as_roster_files_are(tmp_path, grade):
    # Issue 25: "did you mean" for every layout, a file of an exercise not asked for (-e) said so, a
    # GitHub Classroom README summarised once, and hw1/Softmax.py graded with the note the README promises.
    export = tmp_path / "classroom"
    for login, files in (("alice", {"hw1/Softmax.py": SOFTMAX, "dropout.py": "x = 1\n"}),
                         ("bob", {"sofmax.py": SOFTMAX}), ("carol", {"softmax.py": SOFTMAX})):
        repo = export / f"hw1-{login}"
        (repo / ".git").mkdir(parents=True)
        (repo / "README.md").write_text("# hw1\n")
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text)
    result = grade(export, "-e", "softmax")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "README.md: in 3 students' submissions, no exercise of this course" in out
    assert "alice: README.md" not in out and out.count("README.md") == 1
    assert "bob: sofmax.py was not graded: did you mean softmax.py?" in out
    assert "handed in but not graded in this run (not asked for with -e): dropout (1 student)" in out
    alice = (grade.report / "feedback" / "alice.md").read_text()
    assert "`hw1/Softmax.py` was graded as `softmax.py` (its name differs only in case and it is in the " \
           "subfolder hw1/)" in alice
    assert "`dropout.py` was not graded in this run: only softmax was asked for" in alice
    assert "`sofmax.py` was not graded: did you mean `softmax.py`?" in (grade.report / "feedback" / "bob.md").read_text()
    assert {row[0]: row[1] for row in read_csv(grade.report / "grades.csv")[1:]} == {
        "alice": "10", "bob": "", "carol": "10"}


def test_a_canvas_misnamed_file_gets_did_you_mean(tmp_path, grade):
    export = make_zip(tmp_path / "submissions.zip", {"doejane_1002_5002_sofmax.py": SOFTMAX,
                                                     "roepat_1003_5003_Softmax.py": SOFTMAX})
    result = grade(export, "-e", "softmax")
    assert result.exit_code == 0, result.output
    assert "doejane_1002: doejane_1002_5002_sofmax.py was not graded: did you mean softmax.py?" in result.output
    assert "`Softmax.py` was graded as `softmax.py` (its name differs only in case)" in \
        (grade.report / "feedback" / "roepat_1003.md").read_text()
