"""Tests for the learner's workspace: finding it, installing stubs, resets with backups, reading submissions."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest

from d2lcoach.learner import files as learner_files
from d2lcoach.course import Chapter, Exercise, Forbidden
from d2lcoach.errors import UsageError
from d2lcoach.learner.progress import PROGRESS_FILENAME
from d2lcoach.learner.workspace import (
    BACKUPS_DIRNAME,
    MAX_SUBMISSION_BYTES,
    WORKSPACE_ENV,
    Workspace,
    file_hash,
    read_submission,
    resolve_workspace,
)

STUB = "def softmax(X, dim=-1):\n    raise NotImplementedError\n"
MINE = "def softmax(X, dim=-1):\n    return X.exp() / X.exp().sum(dim, keepdim=True)\n"
NOON = dt.datetime(2024, 5, 1, 12, 0, 0)


@pytest.fixture
def exercise(tmp_path: Path) -> Exercise:
    course = tmp_path / "course"
    (course / "exercises").mkdir(parents=True)
    (course / "exercises" / "softmax.py").write_text(STUB, encoding="utf-8")
    return Exercise(
        id="softmax",
        chapter=Chapter(number=4, slug="linear-classification", title="Linear Neural Networks for Classification"),
        title="Softmax from scratch",
        section="4.4",
        link="https://d2l.ai/",
        functions=("softmax",),
        points=10.0,
        time_limit=20.0,
        forbidden=Forbidden(),
        allowed_imports=("torch",),
        hints=("exponentiate",),
        root=course,
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(root=tmp_path / "learner")


def usage_error(call, *args, **kwargs) -> str:
    with pytest.raises(UsageError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message, message
    return message


def backups(ws: Workspace) -> list[str]:
    return sorted(p.name for p in ws.backups_dir.iterdir()) if ws.backups_dir.exists() else []


# --- resolve_workspace ------------------------------------------------------------------------


def test_resolve_prefers_the_given_path(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "from-env"))
    ws = resolve_workspace(tmp_path / "given")
    assert ws.root == tmp_path / "given"
    assert resolve_workspace(str(tmp_path / "given")).root == tmp_path / "given"


def test_resolve_uses_the_environment_then_the_current_folder(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "from-env"))
    assert resolve_workspace().root == tmp_path / "from-env"
    assert resolve_workspace(None).root == tmp_path / "from-env"
    monkeypatch.delenv(WORKSPACE_ENV)
    monkeypatch.chdir(tmp_path)
    assert resolve_workspace().root == tmp_path
    monkeypatch.setenv(WORKSPACE_ENV, "")
    assert resolve_workspace().root == tmp_path


def test_resolve_makes_relative_paths_absolute_and_expands_home(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_workspace("rel/ws").root == tmp_path / "rel" / "ws"
    assert resolve_workspace("~/ws").root == tmp_path / "home" / "ws"


def test_resolve_does_not_create_a_missing_folder(tmp_path: Path):
    ws = resolve_workspace(tmp_path / "a" / "b")
    assert not ws.root.exists()
    assert ws.progress_path == tmp_path / "a" / "b" / PROGRESS_FILENAME


def test_resolve_refuses_a_file(tmp_path: Path, monkeypatch):
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    assert usage_error(resolve_workspace, afile) == f"{afile}: is not a folder; a workspace must be a folder"
    monkeypatch.setenv(WORKSPACE_ENV, str(afile))
    assert str(afile) in usage_error(resolve_workspace)
    assert afile.read_text() == "x"


def test_ensure_exists_creates_parents_and_is_idempotent(tmp_path: Path):
    ws = resolve_workspace(tmp_path / "a" / "b" / "c")
    assert ws.ensure_exists() == ws.root
    assert ws.root.is_dir()
    ws.ensure_exists()
    assert ws.root.is_dir()


def test_ensure_exists_under_a_file_is_a_usage_error(tmp_path: Path):
    (tmp_path / "afile").write_text("x")
    ws = Workspace(root=tmp_path / "afile" / "ws")
    message = usage_error(ws.ensure_exists)
    assert message.startswith(f"{ws.root}: ")


# --- paths and stubs --------------------------------------------------------------------------


def test_exercise_file_and_fixed_paths(ws: Workspace, exercise: Exercise):
    assert ws.exercise_file(exercise) == ws.root / "ch04-linear-classification" / "softmax.py"
    assert ws.progress_path == ws.root / "d2lcoach-progress.yaml"
    assert ws.backups_dir == ws.root / ".d2lcoach-backups"
    assert ws.lock_path == ws.root / ".d2lcoach-progress.lock"


def test_install_stub_creates_workspace_and_file(ws: Workspace, exercise: Exercise):
    path, created = ws.install_stub(exercise)
    assert created is True
    assert path == ws.exercise_file(exercise)
    assert path.read_text(encoding="utf-8") == STUB


def test_install_stub_never_overwrites(ws: Workspace, exercise: Exercise):
    path, _ = ws.install_stub(exercise)
    path.write_text(MINE, encoding="utf-8")
    again, created = ws.install_stub(exercise)
    assert (again, created) == (path, False)
    assert path.read_text(encoding="utf-8") == MINE


def test_install_stub_keeps_an_empty_file_and_a_symlink(ws: Workspace, exercise: Exercise, tmp_path: Path):
    path = ws.exercise_file(exercise)
    path.parent.mkdir(parents=True)
    path.write_text("")
    assert ws.install_stub(exercise) == (path, False)
    assert path.read_text() == ""
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere.py")  # dangling: still not ours to replace
    assert ws.install_stub(exercise) == (path, False)
    assert path.is_symlink() and not (tmp_path / "elsewhere.py").exists()


def test_install_stub_refuses_a_folder(ws: Workspace, exercise: Exercise):
    path = ws.exercise_file(exercise)
    path.mkdir(parents=True)
    message = usage_error(ws.install_stub, exercise)
    assert message == f"{path}: is a folder, but the exercise file belongs here"
    assert path.is_dir()


def test_install_stub_with_a_file_where_the_chapter_folder_belongs(ws: Workspace, exercise: Exercise):
    ws.ensure_exists()
    chapter = ws.root / "ch04-linear-classification"
    chapter.write_text("oops")
    message = usage_error(ws.install_stub, exercise)
    assert message.startswith(f"{chapter}: ")
    assert chapter.read_text() == "oops"


def test_install_stub_missing_stub_is_a_usage_error(ws: Workspace, exercise: Exercise):
    exercise.stub_path.unlink()
    message = usage_error(ws.install_stub, exercise)
    assert message.startswith(f"{exercise.stub_path}: cannot read the stub of 'softmax'")
    assert not ws.exercise_file(exercise).exists()


# --- reset ------------------------------------------------------------------------------------


def test_reset_without_a_file_installs_the_stub(ws: Workspace, exercise: Exercise):
    assert ws.reset(exercise) is None
    assert ws.exercise_file(exercise).read_text(encoding="utf-8") == STUB
    assert backups(ws) == []


def test_reset_of_an_unchanged_stub_makes_no_backup(ws: Workspace, exercise: Exercise):
    ws.install_stub(exercise)
    assert ws.reset(exercise, now=NOON) is None
    assert not ws.backups_dir.exists()
    assert ws.exercise_file(exercise).read_text(encoding="utf-8") == STUB


def test_reset_backs_up_the_learners_work(ws: Workspace, exercise: Exercise):
    path, _ = ws.install_stub(exercise)
    path.write_text(MINE, encoding="utf-8")
    backup = ws.reset(exercise, now=NOON)
    assert backup == ws.root / BACKUPS_DIRNAME / "softmax-20240501-120000.py"
    assert backup.read_text(encoding="utf-8") == MINE
    assert path.read_text(encoding="utf-8") == STUB
    assert sorted(p.name for p in path.parent.iterdir()) == ["softmax.py"]  # no temp files left


def test_two_resets_in_the_same_second_do_not_collide(ws: Workspace, exercise: Exercise):
    path, _ = ws.install_stub(exercise)
    contents = []
    made = []
    for i in range(3):
        text = MINE + f"# attempt {i}\n"
        contents.append(text)
        path.write_text(text, encoding="utf-8")
        made.append(ws.reset(exercise, now=NOON))
    assert [p.name for p in made] == [
        "softmax-20240501-120000.py",
        "softmax-20240501-120000-2.py",
        "softmax-20240501-120000-3.py",
    ]
    assert [p.read_text(encoding="utf-8") for p in made] == contents


def test_resets_with_the_real_clock_keep_every_backup(ws: Workspace, exercise: Exercise):
    path, _ = ws.install_stub(exercise)
    made = []
    for i in range(4):
        path.write_text(MINE + f"# {i}\n", encoding="utf-8")
        made.append(ws.reset(exercise))
    assert len(set(made)) == 4
    assert sorted(p.read_text(encoding="utf-8") for p in made) == sorted(MINE + f"# {i}\n" for i in range(4))
    assert len(backups(ws)) == 4


def test_reset_never_deletes_or_overwrites_earlier_backups(ws: Workspace, exercise: Exercise):
    ws.backups_dir.mkdir(parents=True)
    earlier = ws.backups_dir / "softmax-20240501-120000.py"
    earlier.write_text("precious\n")
    unrelated = ws.backups_dir / "conv2d-20240101-000000.py"
    unrelated.write_text("other\n")
    path, _ = ws.install_stub(exercise)
    path.write_text(MINE, encoding="utf-8")
    backup = ws.reset(exercise, now=NOON)
    assert backup.name == "softmax-20240501-120000-2.py"
    assert earlier.read_text() == "precious\n"
    assert unrelated.read_text() == "other\n"
    assert backups(ws) == sorted([earlier.name, unrelated.name, backup.name])


def test_reset_backs_up_files_that_are_not_utf8(ws: Workspace, exercise: Exercise):
    path, _ = ws.install_stub(exercise)
    path.write_bytes(b"x = '\xff\xfe'\n")
    backup = ws.reset(exercise, now=NOON)
    assert backup.read_bytes() == b"x = '\xff\xfe'\n"
    assert path.read_text(encoding="utf-8") == STUB


def test_reset_refuses_a_folder(ws: Workspace, exercise: Exercise):
    path = ws.exercise_file(exercise)
    path.mkdir(parents=True)
    (path / "inside.py").write_text("keep")
    assert usage_error(ws.reset, exercise) == f"{path}: is a folder, but the exercise file belongs here"
    assert (path / "inside.py").read_text() == "keep"
    assert not ws.backups_dir.exists()


def test_reset_keeps_the_learners_file_when_the_backup_cannot_be_made(ws: Workspace, exercise: Exercise):
    path, _ = ws.install_stub(exercise)
    path.write_text(MINE, encoding="utf-8")
    ws.backups_dir.write_text("a file, not a folder")
    message = usage_error(ws.reset, exercise, now=NOON)
    assert message.startswith(f"{ws.backups_dir}: ")
    assert path.read_text(encoding="utf-8") == MINE


# --- read_submission and file_hash ------------------------------------------------------------


def test_read_submission_returns_the_text(tmp_path: Path):
    path = tmp_path / "softmax.py"
    path.write_text(MINE + "# café\n", encoding="utf-8")
    assert read_submission(path) == MINE + "# café\n"
    assert read_submission(str(path)) == MINE + "# café\n"


def test_read_submission_drops_a_utf8_bom(tmp_path: Path):
    path = tmp_path / "softmax.py"
    path.write_bytes(b"\xef\xbb\xbf" + MINE.encode())
    assert read_submission(path) == MINE


def test_read_submission_missing(tmp_path: Path):
    path = tmp_path / "nope.py"
    assert usage_error(read_submission, path) == f"{path}: file not found"


def test_read_submission_folder(tmp_path: Path):
    assert usage_error(read_submission, tmp_path) == f"{tmp_path}: is a folder, not a Python file"


def test_read_submission_not_utf8(tmp_path: Path):
    path = tmp_path / "softmax.py"
    path.write_bytes(b"# caf\xe9\n")
    assert usage_error(read_submission, path) == f"{path}: not UTF-8 text (bad byte at offset 5)"


def test_read_submission_size_limit(tmp_path: Path):
    path = tmp_path / "big.py"
    path.write_bytes(b"#" * MAX_SUBMISSION_BYTES)
    assert len(read_submission(path)) == MAX_SUBMISSION_BYTES
    path.write_bytes(b"#" * (MAX_SUBMISSION_BYTES + 1))
    message = usage_error(read_submission, path)
    assert message == f"{path}: is {MAX_SUBMISSION_BYTES + 1} bytes; a submission may be at most 1 MiB"


def test_read_submission_unreadable(tmp_path: Path, monkeypatch):
    path = tmp_path / "softmax.py"
    path.write_text(MINE)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(learner_files, "_open_file", denied)
    assert usage_error(read_submission, path) == f"{path}: cannot read: Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_read_submission_unreadable_by_permissions(tmp_path: Path):
    path = tmp_path / "softmax.py"
    path.write_text(MINE)
    path.chmod(0)
    try:
        assert usage_error(read_submission, path) == f"{path}: cannot read: Permission denied"
    finally:
        path.chmod(0o644)


def test_read_submission_refuses_a_fifo(tmp_path: Path):
    path = tmp_path / "pipe.py"
    os.mkfifo(path)
    assert usage_error(read_submission, path) == (f"{path}: is not a regular file (a FIFO); submissions are read "
                                                  "as data, regular files only")


def test_read_submission_under_a_file_is_a_usage_error(tmp_path: Path):
    (tmp_path / "afile").write_text("x")
    path = tmp_path / "afile" / "softmax.py"
    assert usage_error(read_submission, path).startswith(f"{path}: cannot read: ")


def test_file_hash():
    assert file_hash(MINE) == hashlib.sha256(MINE.encode("utf-8")).hexdigest()
    assert file_hash(MINE.encode("utf-8")) == file_hash(MINE)
    assert file_hash("café") == hashlib.sha256("café".encode("utf-8")).hexdigest()
    assert len(file_hash("")) == 64


# --- finding the workspace upward --------------------------------------------------------------


def test_find_workspace_searches_upward_and_the_nearest_progress_file_wins(tmp_path: Path, monkeypatch):
    from d2lcoach.learner.workspace import find_workspace, locate_workspace
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "ch04-linear-classification" / "inner"
    inner.mkdir(parents=True)
    (tmp_path / "outer" / "ch04-linear-classification" / "softmax.py").write_text("x")
    assert find_workspace(inner) == outer  # no progress file anywhere: the folder with chapter folders
    (tmp_path / PROGRESS_FILENAME).write_text("version: 1\n")
    assert find_workspace(inner) == tmp_path  # a progress file above wins over chapter folders
    (inner / PROGRESS_FILENAME).write_text("version: 1\n")
    assert find_workspace(inner) == inner
    (inner / "deeper").mkdir()
    located = locate_workspace(cwd=inner / "deeper")
    assert located.workspace.root == inner and located.how == f"found above {inner / 'deeper'}"


def test_locate_without_a_workspace_names_the_folder_and_the_way_out(tmp_path: Path, monkeypatch):
    from d2lcoach.learner.workspace import locate_workspace
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    (tmp_path / "notes.txt").write_text("x")
    located = locate_workspace(cwd=tmp_path)
    assert located.workspace is None
    message = usage_error(located.required)
    assert str(tmp_path) in message and "`d2lcoach init`" in message and "--workspace DIR" in message
    usage_error(located.required, create_in_empty_folder=True)  # not empty: no workspace made here
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".git").mkdir()
    assert locate_workspace(cwd=empty).required(create_in_empty_folder=True).root == empty
