"""Tests for the progress file: schema, validation errors, atomic writes and locking across processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
import yaml

from d2lcoach.learner import progress as progress_mod
from d2lcoach.errors import UsageError
from d2lcoach.learner.progress import (
    HEADER,
    LOCK_FILENAME,
    PROGRESS_FILENAME,
    RECOVER,
    ExerciseProgress,
    Progress,
    dump_progress,
    load_progress,
    save_progress,
    update_progress,
)

HASH = "0123456789abcdef" * 4
T0 = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
T1 = dt.datetime(2024, 5, 2, 8, 30, 15, tzinfo=dt.timezone.utc)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / PROGRESS_FILENAME


def sample() -> Progress:
    progress = Progress(current="softmax")
    progress.record_check("softmax", True, {"cpu": True, "meta": True}, 1.0, HASH, now=T0)
    progress.record_hint("conv2d")
    progress.record_check("conv2d", False, {"cpu": False, "meta": True}, 0.25, "f" * 64, now=T1)
    progress.record_solution("softmax", forced=False)
    return progress


def usage_error(call, *args) -> str:
    with pytest.raises(UsageError) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message, message
    return message


# --- the model --------------------------------------------------------------------------------


def test_for_exercise_creates_a_not_started_entry_once():
    progress = Progress()
    entry = progress.for_exercise("softmax")
    assert entry == ExerciseProgress()
    assert entry.status == "not started"
    assert progress.for_exercise("softmax") is entry


def test_record_check_pass_then_fail_then_pass():
    progress = Progress()
    entry = progress.record_check("softmax", True, {"cpu": True, "meta": True}, 1.0, HASH, now=T0)
    assert entry.status == "passed"
    assert entry.attempts == 1
    assert entry.first_passed_at == "2024-05-01T12:00:00Z"
    assert entry.last_checked_at == "2024-05-01T12:00:00Z"
    assert entry.last_result == {"cpu": "pass", "meta": "pass"}
    assert entry.passed_hash == HASH
    assert entry.last_score == 1.0

    progress.record_check("softmax", False, {"cpu": False, "meta": True}, 0.5, "e" * 64, now=T1)
    assert entry.status == "passed"  # a pass is never lost: the failing check is counted, the pass kept
    assert entry.attempts == 2
    assert entry.first_passed_at == "2024-05-01T12:00:00Z"
    assert entry.last_checked_at == "2024-05-02T08:30:15Z"
    assert entry.last_result == {"cpu": "fail", "meta": "pass"}
    assert entry.passed_hash == HASH  # the content that last passed
    assert entry.last_score == 0.5

    later = T1 + dt.timedelta(hours=1)
    progress.record_check("softmax", True, {"cpu": True}, 1.0, "d" * 64, now=later)
    assert entry.status == "passed"
    assert entry.first_passed_at == "2024-05-01T12:00:00Z"  # only the first time
    assert entry.passed_hash == "d" * 64
    assert entry.attempts == 3


def test_a_later_failing_check_keeps_the_pass_and_its_file_but_records_the_attempt():
    progress = Progress()
    progress.record_check("softmax", False, {"cpu": False}, 0.25, None, now=T0, file="a.py", failures=3)
    entry = progress.exercises["softmax"]
    assert (entry.status, entry.best_score, entry.best_file) == ("in progress", 0.25, "a.py")
    progress.record_check("softmax", True, {"cpu": True}, 0.9, HASH, now=T0, file="a.ipynb", failures=0)
    progress.record_check("softmax", False, {"cpu": False}, 0.95, "e" * 64, now=T1, file="a.py", failures=2)
    assert entry.status == "passed" and entry.attempts == 3 and entry.passed_hash == HASH
    assert (entry.best_score, entry.best_file) == (0.9, "a.ipynb")  # a pass beats a higher failing score
    assert (entry.last_score, entry.last_file, entry.last_failures) == (0.95, "a.py", 2)
    assert entry.last_result == {"cpu": "fail"} and entry.last_checked_at == "2024-05-02T08:30:15Z"


def test_a_version_1_file_is_migrated_on_read_and_its_lost_pass_comes_back(path: Path):
    path.write_text(
        "version: 1\ncurrent: conv2d\nexercises:\n"
        "  softmax:\n    status: in progress\n    attempts: 4\n    first_passed_at: '2024-05-01T12:00:00Z'\n"
        "    last_result: {cpu: fail}\n    last_score: 0.5\n"
        "  conv2d:\n    status: in progress\n    attempts: 1\n    last_score: 0.25\n"
        "  dropout:\n    status: passed\n    attempts: 1\n    first_passed_at: '2024-05-01T12:00:00Z'\n"
        "    last_score: 1.0\n", encoding="utf-8")
    progress = load_progress(path)
    assert progress.version == 2 and progress.current == "conv2d"
    softmax, conv2d, dropout = (progress.exercises[i] for i in ("softmax", "conv2d", "dropout"))
    assert (softmax.status, softmax.attempts, softmax.best_score, softmax.last_score) == ("passed", 4, None, 0.5)
    assert (conv2d.status, conv2d.best_score) == ("in progress", 0.25)
    assert (dropout.status, dropout.best_score, dropout.best_file) == ("passed", 1.0, None)
    assert "version: 1" in path.read_text()  # reading never writes
    with update_progress(path):
        pass
    again = yaml.safe_load(path.read_text())
    assert again["version"] == 2 and again["exercises"]["softmax"]["status"] == "passed"
    assert load_progress(path) == progress


def test_record_check_without_now_uses_the_utc_clock():
    entry = Progress().record_check("softmax", False, {"cpu": False}, 0.0, None)
    stamp = dt.datetime.fromisoformat(entry.last_checked_at)
    assert stamp.tzinfo is not None and stamp.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.timezone.utc) - stamp) < dt.timedelta(minutes=1)
    assert entry.first_passed_at is None
    assert entry.passed_hash is None


def test_naive_now_counts_as_utc_and_aware_now_is_converted():
    progress = Progress()
    naive = progress.record_check("a", True, {}, 1, HASH, now=dt.datetime(2024, 1, 2, 3, 4, 5))
    assert naive.first_passed_at == "2024-01-02T03:04:05Z"
    plus2 = dt.timezone(dt.timedelta(hours=2))
    aware = progress.record_check("b", True, {}, 1, HASH, now=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=plus2))
    assert aware.first_passed_at == "2024-01-02T01:04:05Z"


def test_record_hint_counts_and_starts_the_exercise():
    progress = Progress()
    assert progress.record_hint("softmax") == 1
    assert progress.record_hint("softmax") == 2
    assert progress.exercises["softmax"].hints_shown == 2
    assert progress.exercises["softmax"].status == "in progress"


def test_record_solution_forced_is_sticky():
    progress = Progress()
    assert progress.record_solution("a", forced=False).solution_viewed == "after passing"
    assert progress.record_solution("b", forced=True).solution_viewed == "forced"
    assert progress.record_solution("b", forced=False).solution_viewed == "forced"
    assert progress.record_solution("a", forced=True).solution_viewed == "forced"


def test_record_start_sets_current_and_keeps_a_passed_status():
    progress = Progress()
    assert progress.record_start("softmax").status == "in progress"
    assert progress.current == "softmax"
    progress.record_check("conv2d", True, {"cpu": True}, 1.0, HASH, now=T0)
    assert progress.record_start("conv2d").status == "passed"
    assert progress.current == "conv2d"


# --- load and save ----------------------------------------------------------------------------


def test_missing_file_is_an_empty_progress(path: Path):
    progress = load_progress(path)
    assert progress == Progress()
    assert progress.version == progress_mod.VERSION == 2 and progress.current is None and progress.exercises == {}
    assert not path.exists()  # loading never writes


def test_round_trip(path: Path):
    original = sample()
    save_progress(path, original)
    assert load_progress(path) == original
    assert load_progress(str(path)) == original


def test_file_is_readable_yaml_with_header_and_version(path: Path):
    save_progress(path, sample())
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    first = text.splitlines()[0]
    assert first.startswith("#") and "d2lcoach" in first and "not edit by hand" in first.lower()
    data = yaml.safe_load(text)
    assert list(data) == ["version", "current", "exercises"]
    assert data["version"] == 2
    assert data["current"] == "softmax"
    softmax = data["exercises"]["softmax"]
    assert softmax == {
        "status": "passed",
        "attempts": 1,
        "hints_shown": 0,
        "first_passed_at": "2024-05-01T12:00:00Z",
        "last_checked_at": "2024-05-01T12:00:00Z",
        "last_result": {"cpu": "pass", "meta": "pass"},
        "passed_hash": HASH,
        "solution_viewed": "after passing",
        "last_score": 1.0,
        "best_score": 1.0,
        "best_file": None,
        "last_file": None,
        "last_failures": None,
    }
    assert "status: not started" in dump_progress(Progress(exercises={"x": ExerciseProgress()}))
    assert "last_result:\n      cpu: pass\n      meta: pass\n" in text


def test_unknown_exercise_ids_are_kept(path: Path):
    progress = sample()
    progress.exercises["retired_exercise"] = ExerciseProgress(status="passed", attempts=7)
    save_progress(path, progress)
    loaded = load_progress(path)
    assert loaded.exercises["retired_exercise"].attempts == 7
    loaded.record_hint("softmax")
    save_progress(path, loaded)
    again = load_progress(path)
    assert list(again.exercises) == ["softmax", "conv2d", "retired_exercise"]
    assert again.exercises["retired_exercise"] == ExerciseProgress(status="passed", attempts=7)


def test_minimal_and_partial_files_are_accepted(path: Path):
    path.write_text("version: 1\n", encoding="utf-8")
    assert load_progress(path) == Progress()
    path.write_text("version: 1\ncurrent: null\nexercises:\n  softmax:\n    attempts: 3\n", encoding="utf-8")
    assert load_progress(path).exercises["softmax"] == ExerciseProgress(attempts=3)


def test_unquoted_timestamps_and_integer_scores_are_accepted(path: Path):
    path.write_text(
        "version: 1\nexercises:\n  softmax:\n    status: passed\n"
        "    first_passed_at: 2024-05-01T12:00:00Z\n    last_score: 1\n",
        encoding="utf-8",
    )
    entry = load_progress(path).exercises["softmax"]
    assert entry.first_passed_at == "2024-05-01T12:00:00Z"
    assert entry.last_score == 1.0 and isinstance(entry.last_score, float)


def test_save_leaves_no_temporary_files(path: Path):
    for i in range(3):
        progress = sample()
        progress.record_hint("softmax")
        save_progress(path, progress)
    assert sorted(p.name for p in path.parent.iterdir()) == [PROGRESS_FILENAME]


def test_save_keeps_the_file_mode_and_new_files_are_0644(path: Path):
    save_progress(path, sample())
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o600)
    save_progress(path, Progress())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_failed_save_keeps_the_old_file_and_leaves_no_temp(path: Path, monkeypatch):
    save_progress(path, sample())
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress_mod.os, "replace", broken_replace)
    message = usage_error(save_progress, path, Progress())
    assert str(path) in message and "No space left on device" in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [PROGRESS_FILENAME]


def test_save_fsyncs_file_and_folder(path: Path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def spy(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(progress_mod.os, "fsync", spy)
    save_progress(path, sample())
    assert synced == [False, True]


# --- broken files -----------------------------------------------------------------------------

GOOD_ENTRY = "version: 1\nexercises:\n  softmax:\n"

BROKEN = [
    ("version: 1\nexercises: [\n", "not valid YAML (line"),
    ("version: 1\n  current: x\n bad: [1, 2\n", "not valid YAML (line"),
    ("version: 1\nexercises:\n  softmax: {status: passed\n", "not valid YAML (line"),
    ("", "the file is empty"),
    ("# only a comment\n", "the file is empty"),
    ("- 1\n- 2\n", "must be a mapping, not list"),
    ("just text\n", "must be a mapping, not str"),
    ("current: softmax\n", "has no 'version' key"),
    ("version: 3\n", "version 3 is not supported"),
    ("version: '1'\n", "'version' must be an integer"),
    ("version: true\n", "'version' must be an integer"),
    ("version: 1\nextra: 3\n", "unknown top-level key 'extra'"),
    ("version: 1\ncurrent: [softmax]\n", "'current' must be an exercise id or null"),
    ("version: 1\nexercises: [softmax]\n", "'exercises' must be a mapping"),
    ("version: 1\nexercises:\n  3: {}\n", "exercise id 3 must be a string"),
    ("version: 1\nexercises:\n  softmax: 3\n", "exercise 'softmax' must be a mapping"),
    (GOOD_ENTRY + "    attemps: 3\n", "exercise 'softmax': unknown key 'attemps'"),
    (GOOD_ENTRY + "    status: done\n", "exercise 'softmax': 'status' must be one of"),
    (GOOD_ENTRY + "    attempts: -1\n", "exercise 'softmax': 'attempts' must be a non-negative integer"),
    (GOOD_ENTRY + "    attempts: 1.5\n", "exercise 'softmax': 'attempts' must be a non-negative integer"),
    (GOOD_ENTRY + "    attempts: 'three'\n", "exercise 'softmax': 'attempts' must be a non-negative integer"),
    (GOOD_ENTRY + "    attempts: true\n", "exercise 'softmax': 'attempts' must be a non-negative integer"),
    (GOOD_ENTRY + "    hints_shown: -2\n", "exercise 'softmax': 'hints_shown' must be a non-negative integer"),
    (GOOD_ENTRY + "    first_passed_at: yesterday\n", "'first_passed_at' must be an ISO-8601 time or null"),
    (GOOD_ENTRY + "    last_checked_at: 5\n", "'last_checked_at' must be an ISO-8601 time or null"),
    (GOOD_ENTRY + "    last_result: pass\n", "'last_result' must map device names to 'pass' or 'fail'"),
    (GOOD_ENTRY + "    last_result: {cpu: ok}\n", "'last_result' must map device names"),
    (GOOD_ENTRY + "    last_result: {cpu: true}\n", "'last_result' must map device names"),
    (GOOD_ENTRY + "    passed_hash: abc\n", "'passed_hash' must be a sha256 hex digest or null"),
    (GOOD_ENTRY + f"    passed_hash: {HASH.upper()}\n", "'passed_hash' must be a sha256 hex digest"),
    (GOOD_ENTRY + "    solution_viewed: yes\n", "'solution_viewed' must be null, 'after passing' or 'forced'"),
    (GOOD_ENTRY + "    solution_viewed: peeked\n", "'solution_viewed' must be null"),
    (GOOD_ENTRY + "    last_score: high\n", "'last_score' must be a number or null"),
    (GOOD_ENTRY + "    last_score: .nan\n", "'last_score' must be a number or null"),
    (GOOD_ENTRY + "    last_score: false\n", "'last_score' must be a number or null"),
    (GOOD_ENTRY + "    best_score: high\n", "'best_score' must be a number or null"),
    (GOOD_ENTRY + "    best_file: 3\n", "'best_file' must be a file name or null"),
    (GOOD_ENTRY + "    last_file: ''\n", "'last_file' must be a file name or null"),
    (GOOD_ENTRY + "    last_failures: -1\n", "'last_failures' must be a non-negative integer or null"),
]


@pytest.mark.parametrize("content, expected", BROKEN, ids=[f"broken{i}" for i in range(len(BROKEN))])
def test_broken_file_is_a_one_line_usage_error_and_is_left_alone(path: Path, content: str, expected: str):
    path.write_text(content, encoding="utf-8")
    before = path.read_bytes()
    message = usage_error(load_progress, path)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message
    assert message.endswith(f"; {RECOVER}"), message  # the way out, named in the same line
    assert path.read_bytes() == before

    with pytest.raises(UsageError):
        with update_progress(path) as progress:  # pragma: no cover - never entered
            progress.record_hint("softmax")
    assert path.read_bytes() == before


def test_yaml_error_names_the_line(path: Path):
    path.write_text("version: 1\ncurrent: null\nexercises: {softmax: [\n", encoding="utf-8")
    message = usage_error(load_progress, path)
    assert message.startswith(f"{path}: not valid YAML (line ")


def test_not_utf8_is_a_usage_error(path: Path):
    path.write_bytes(b"version: 1\ncurrent: caf\xe9\n")
    before = path.read_bytes()
    message = usage_error(load_progress, path)
    assert message == f"{path}: not UTF-8 text (bad byte at offset 23); {RECOVER}"
    assert path.read_bytes() == before


def test_a_directory_where_the_file_belongs(path: Path):
    path.mkdir()
    (path / "keep.txt").write_text("x")
    expected = f"{path}: is a folder, but the progress file belongs here"
    assert usage_error(load_progress, path) == expected
    assert usage_error(save_progress, path, sample()) == expected
    with pytest.raises(UsageError):
        with update_progress(path):
            pass  # pragma: no cover
    assert path.is_dir() and (path / "keep.txt").read_text() == "x"


def test_unreadable_file_is_a_usage_error(path: Path, monkeypatch):
    save_progress(path, sample())
    real = Path.read_bytes

    def denied(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert usage_error(load_progress, path) == f"{path}: cannot read: Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_by_permissions(path: Path):
    save_progress(path, sample())
    path.chmod(0)
    try:
        assert usage_error(load_progress, path) == f"{path}: cannot read: Permission denied"
    finally:
        path.chmod(0o644)


def test_save_into_a_missing_folder_is_a_usage_error(tmp_path: Path):
    target = tmp_path / "nowhere" / PROGRESS_FILENAME
    message = usage_error(save_progress, target, sample())
    assert message.startswith(f"{target}: cannot write: ")
    assert not (tmp_path / "nowhere").exists()


# --- update_progress --------------------------------------------------------------------------


def test_update_progress_saves_on_normal_exit(path: Path):
    with update_progress(path) as progress:
        assert progress == Progress()
        progress.record_hint("softmax")
        progress.current = "softmax"
    loaded = load_progress(path)
    assert loaded.current == "softmax"
    assert loaded.exercises["softmax"].hints_shown == 1
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([PROGRESS_FILENAME, LOCK_FILENAME])


def test_update_progress_does_not_save_when_the_body_raises(path: Path):
    save_progress(path, sample())
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with update_progress(path) as progress:
            progress.record_hint("softmax")
            progress.exercises.clear()
            raise RuntimeError("grading crashed")
    assert path.read_bytes() == before


def test_update_progress_does_not_create_the_file_when_the_body_raises(path: Path):
    with pytest.raises(KeyError):
        with update_progress(path):
            raise KeyError("x")
    assert not path.exists()


def test_update_progress_releases_the_lock(path: Path):
    import fcntl

    with update_progress(path) as progress:
        progress.record_hint("softmax")
    fd = os.open(path.parent / LOCK_FILENAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # would raise BlockingIOError if still held
    finally:
        os.close(fd)
    with pytest.raises(ValueError):
        with update_progress(path):
            raise ValueError
    fd = os.open(path.parent / LOCK_FILENAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def _bump(path: str, times: int, start, done) -> None:
    start.wait()
    for _ in range(times):
        with update_progress(path) as progress:
            progress.for_exercise("softmax").attempts += 1
            progress.record_hint("conv2d")
    done.put(os.getpid())


def test_concurrent_updates_from_real_processes_lose_nothing(path: Path):
    workers, times = 4, 25
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    done = ctx.Queue()
    procs = [ctx.Process(target=_bump, args=(str(path), times, start, done)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    start.set()
    finished = sorted(done.get(timeout=120) for _ in range(workers))
    for proc in procs:
        proc.join(timeout=120)
    assert all(proc.exitcode == 0 for proc in procs), [proc.exitcode for proc in procs]
    assert finished == sorted(proc.pid for proc in procs)
    progress = load_progress(path)
    assert progress.exercises["softmax"].attempts == workers * times
    assert progress.exercises["conv2d"].hints_shown == workers * times
    leftovers = sorted(p.name for p in path.parent.iterdir())
    assert leftovers == sorted([PROGRESS_FILENAME, LOCK_FILENAME])


def _hold_lock(path: str, entered, release) -> None:
    with update_progress(path) as progress:
        entered.set()
        release.wait(30)
        progress.record_hint("held")


def test_a_second_update_waits_for_the_first(path: Path):
    ctx = multiprocessing.get_context("fork")
    entered, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(path), entered, release))
    holder.start()
    try:
        assert entered.wait(30)
        import fcntl

        fd = os.open(path.parent / LOCK_FILENAME, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    finally:
        release.set()
        holder.join(30)
    assert holder.exitcode == 0
    with update_progress(path) as progress:  # sees the holder's update, made while we waited
        assert progress.exercises["held"].hints_shown == 1
