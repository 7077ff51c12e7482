"""A learner never loses their place: the workspace is found from any folder inside it, `init`,
`progress rebuild`, `reset` (current exercise, --restore), and the one-line ways out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT
from d2lcoach.learner.progress import PROGRESS_FILENAME, RECOVER
from d2lcoach.text import ELLIPSIS, clip
from d2lcoach.learner.workspace import locate_workspace

FIRST_FILE = "ch03-linear-regression/linear_regression.py"
NEXT_FILE = "ch04-linear-classification/softmax.py"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Run the CLI as a learner types it: no --workspace, from the folder `here.cd(...)` moved to."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("D2LCOACH_WORKSPACE", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, list(args))

    def cd(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(folder)
        return folder

    invoke.cd = cd
    invoke.root = tmp_path
    return invoke


@pytest.fixture
def warm(sandbox, monkeypatch):
    """Commands that grade use the test session's warm sandbox instead of starting their own."""
    import threading

    import d2lcoach.sandbox
    lock = threading.Lock()  # `check_all` grades from two threads; a sandbox serves one at a time

    class Shared:
        cuda = False

        def __init__(self, *args, **kwargs):
            pass

        def start(self):
            return self

        def close(self):
            pass  # the session's sandbox outlives the command

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def __getattr__(self, name):
            value = getattr(sandbox, name)
            if not callable(value):
                return value

            def serialized(*args, **kwargs):
                with lock:
                    return value(*args, **kwargs)
            return serialized

    monkeypatch.setattr(d2lcoach.sandbox, "Sandbox", Shared)


def one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def progress_files(root: Path) -> list[Path]:
    return sorted(root.rglob(PROGRESS_FILENAME))


def test_every_command_works_from_a_chapter_folder(here, warm):
    ws = here.cd(here.root / "course")
    assert here("next").exit_code == 0  # an empty folder becomes the workspace
    here.cd(ws / "ch03-linear-regression")
    again = here("next")  # from inside: the same workspace, still linear_regression, no second progress file
    assert again.exit_code == 0 and "linear_regression" in again.output, again.output
    assert progress_files(here.root) == [ws / PROGRESS_FILENAME]
    shutil.copy(BUILTIN_ROOT / "solutions" / "linear_regression.py", ws / FIRST_FILE)
    checked = here("check", "--device", "cpu")
    assert checked.exit_code == 0 and "PASSED" in checked.output, checked.output
    here.cd(ws / "ch03-linear-regression" / "deeper" / "still")
    assert "softmax" in here("next").output and (ws / NEXT_FILE).is_file()
    assert "Hint 1 of" in here("hint").output
    listing = json.loads(here("list", "--json").output)
    assert listing["passed"] == 1 and {e["id"]: e["status"] for e in listing["exercises"]}["softmax"] == "in progress"
    assert progress_files(here.root) == [ws / PROGRESS_FILENAME]
    doctor = json.loads(here("doctor", "--json").output)
    assert doctor["workspace"] == str(ws) and doctor["workspace from"].startswith("found above")


@pytest.mark.parametrize("args", [("list",), ("hint",), ("check",), ("reset",), ("solution", "linear_regression", "--force"),
                                  ("next",), ("watch",), ("progress", "rebuild")])
def test_outside_any_workspace_commands_say_so_in_one_line(here, args):
    folder = here.cd(here.root / "elsewhere")
    (folder / "notes.txt").write_text("not a workspace\n")  # not empty: `next` does not start one here
    one_line_error(here(*args), "no d2lcoach workspace", "d2lcoach init", "--workspace")
    assert progress_files(here.root) == [] and sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_check_file_outside_a_workspace_writes_no_progress(here, warm):
    folder = here.cd(here.root / "downloads")
    shutil.copy(BUILTIN_ROOT / "solutions" / "softmax.py", folder / "softmax.py")
    result = here("check", "--file", "softmax.py", "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["softmax.py"]  # no progress file, no lock file
    (folder / "mine.py").write_text("x = 1\n")
    one_line_error(here("check", "--file", "mine.py"), "which exercise", "d2lcoach check EXERCISE --file")


def test_init_makes_a_workspace_and_refuses_one_inside_another(here):
    start = here.cd(here.root / "start")
    (start / "notes.txt").write_text("x")
    made = here("init", "learn")
    assert made.exit_code == 0 and (start / "learn" / PROGRESS_FILENAME).is_file(), made.output
    assert "already a workspace" in here("init", "learn").output
    one_line_error(here("init", "learn/inner"), "is inside the workspace")
    here.cd(start / "learn")
    assert here("list").exit_code == 0
    here.cd(start)
    assert here("init").exit_code == 0 and (start / PROGRESS_FILENAME).is_file()  # the current folder


def test_workspace_flag_and_environment_still_win(here, monkeypatch):
    here.cd(here.root / "a")
    assert here("next").exit_code == 0
    other = here.root / "b"
    assert here("--workspace", str(other), "next").exit_code == 0 and (other / FIRST_FILE).is_file()
    monkeypatch.setenv("D2LCOACH_WORKSPACE", str(here.root / "c"))
    assert here("next").exit_code == 0 and (here.root / "c" / FIRST_FILE).is_file()
    assert locate_workspace().how == "$D2LCOACH_WORKSPACE"


def test_a_broken_progress_file_is_recovered_with_the_command_its_error_names(here, warm):
    ws = here.cd(here.root / "ws")
    here("next")
    here("next", "--exercise", "softmax")
    shutil.copy(BUILTIN_ROOT / "solutions" / "linear_regression.py", ws / FIRST_FILE)
    broken = b"version: 1\nexercises: [unclosed\n"
    (ws / PROGRESS_FILENAME).write_bytes(broken)
    here.cd(ws / "ch04-linear-classification")
    error = here("list")
    one_line_error(error, "d2lcoach progress rebuild")
    doctor = here("doctor")
    assert doctor.exit_code == 1 and "BROKEN" in doctor.output
    command = error.output.split("run `", 1)[1].split("`", 1)[0]
    assert command == "d2lcoach progress rebuild"
    rebuilt = here(*command.split()[1:], "--device", "cpu", "--json")
    assert rebuilt.exit_code == 0, rebuilt.output
    data = json.loads(rebuilt.output)
    assert data["passed"] == ["linear_regression"] and data["current"] == "softmax"
    assert Path(data["backup"]).read_bytes() == broken and Path(data["backup"]).parent.name == ".d2lcoach-backups"
    listing = json.loads(here("list", "--json").output)
    statuses = {e["id"]: e["status"] for e in listing["exercises"]}
    assert statuses["linear_regression"] == "passed" and statuses["softmax"] == "in progress"
    assert [e["id"] for e in listing["exercises"] if e["current"]] == ["softmax"]
    assert here("doctor").exit_code == 0


def test_recover_message_is_what_the_error_line_says():
    assert "`d2lcoach progress rebuild`" in RECOVER


def test_list_without_a_progress_file_suggests_a_rebuild_and_grades_nothing(here):
    ws = here.cd(here.root / "ws")
    here("next")
    (ws / PROGRESS_FILENAME).unlink()
    assert "progress rebuild" not in here("list").output  # the untouched stub is no work to recover
    shutil.copy(BUILTIN_ROOT / "solutions" / "linear_regression.py", ws / FIRST_FILE)
    here.cd(ws / "ch03-linear-regression")
    listing = here("list")
    assert listing.exit_code == 0 and "d2lcoach progress rebuild" in listing.output and "(linear_regression)" in listing.output
    assert json.loads(here("list", "--json").output)["unrecorded"] == ["linear_regression"]
    assert not (ws / PROGRESS_FILENAME).exists()  # list suggested, and graded nothing


def test_reset_means_the_current_exercise_and_restore_brings_the_backup_back(here):
    ws = here.cd(here.root / "ws")
    here("next")
    (ws / FIRST_FILE).write_text("# my attempt\n")
    one_line_error(here("reset", "--restore"), "no backup of linear_regression")
    reset = here("reset")
    assert reset.exit_code == 0 and "reset linear_regression" in reset.output and "saved as" in reset.output
    stub = (BUILTIN_ROOT / "exercises" / "linear_regression.py").read_text()
    assert (ws / FIRST_FILE).read_text() == stub
    restored = json.loads(here("reset", "--restore", "--json").output)["restored"]
    assert (ws / FIRST_FILE).read_text() == "# my attempt\n"
    assert restored["backup"] is None  # the stub it replaced needs no backup: reset brings it back
    (ws / FIRST_FILE).write_text("# second attempt\n")
    swapped = json.loads(here("reset", "--restore", "linear_regression", "--json").output)["restored"]
    assert (ws / FIRST_FILE).read_text() == "# my attempt\n"
    assert Path(swapped["backup"]).read_text() == "# second attempt\n"  # kept, and newest
    here("reset", "--restore")
    assert (ws / FIRST_FILE).read_text() == "# second attempt\n"  # run again: swaps back
    one_line_error(here("reset", "--restore", "--all"), "leave out --all")


def test_check_json_prints_json_on_bad_input_too(here):
    here.cd(here.root / "ws")
    here("next")
    for args, needle in ((("nosuch",), "unknown exercise"), (("--device", "tpu"), "unknown device"),
                         (("--file", "missing.py"), "missing.py")):
        result = here("check", "--json", *args)
        assert result.exit_code == 2
        data = json.loads(result.stdout)
        assert data["passed"] is False and data["checks"] == [] and needle in data["error"]
        assert set(data) == {"exercise", "file", "passed", "score", "checks", "error"}


def test_solution_json(here):
    here.cd(here.root / "ws")
    here("next")
    data = json.loads(here("solution", "linear_regression", "--force", "--json").output)
    assert data["exercise"] == "linear_regression" and "def linreg" in data["solution"]


def test_messages_have_no_doubled_parentheses(here):
    here.cd(here.root / "ws")
    outputs = [here("next").output, here("next").output, here("hint").output, here("reset").output,
               here("doctor").output, here("init").output]
    for text in outputs:
        assert "((" not in text and "))" not in text, text


@pytest.mark.parametrize("text, limit, expected", [
    ("short", 10, "short"),
    ("values (cpu) differ from the reference", 20, "values (cpu) differ" + ELLIPSIS),
    ("abcdefghijklmnop", 8, "abcdefg" + ELLIPSIS),  # one long word: cut hard, still marked
    ("first line", 30, "first line"),
])
def test_clip_cuts_at_a_word_boundary_with_an_ellipsis(text, limit, expected):
    assert clip(text, limit) == expected and len(clip(text, limit)) <= limit
    assert clip("fits", 10, more=True) == "fits" + ELLIPSIS


def test_check_labels_never_double_parentheses():
    from d2lcoach.results import CheckItem
    assert CheckItem("training on 4-D input (per channel)", False, "cpu").label == \
        "training on 4-D input (per channel, cpu)"
    assert CheckItem("values", False, "meta").label == "values (meta)"
