"""The learner's operations (next, check, hint, reset, solution, list, doctor) as plain functions.

Each takes a course and a workspace, returns a dataclass, and raises UsageError for bad input.
The CLI only parses arguments and renders what these return.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import platform
import sys
from pathlib import Path

from d2lcoach.learner import notebook
from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.learner.progress import PASSED, Progress, load_progress, update_progress
from d2lcoach.results import CheckResult
from d2lcoach.learner.workspace import Workspace, file_hash, read_submission


@dataclasses.dataclass
class Task:
    exercise: Exercise
    path: Path
    created: bool
    signature: list[str]
    summary: str
    all_passed: bool = False
    #: With `convert`: the backup that keeps the form the exercise was turned from, else None.
    converted_from: Path | None = None


class SourceConflict(UsageError):
    """`next` asked for one form (.py or notebook) of an exercise whose other form already holds the
    learner's work. `other` is that file; `wanted` the form asked for; `convert=True` turns it over."""

    def __init__(self, message: str, other: Path, wanted: Path):
        super().__init__(message)
        self.other, self.wanted = other, wanted


def signatures(exercise: Exercise) -> tuple[list[str], str]:
    """The `def` lines of the stub's functions and the first paragraph of the first docstring."""
    tree = ast.parse(exercise.stub_path.read_text(encoding="utf-8"))
    lines, summary = [], ""
    source = exercise.stub_path.read_text(encoding="utf-8").splitlines()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in exercise.functions:
            header = "\n".join(source[node.lineno - 1:node.body[0].lineno - 1]).strip()
            header = header.split('"""')[0].rstrip()
            lines.append(header)
            if not summary:
                doc = ast.get_docstring(node) or ""
                summary = doc.split("\n\n")[0].strip()
    return lines, summary


def first_unpassed(course: Course, progress: Progress) -> Exercise | None:
    for exercise in course.exercises:
        entry = progress.exercises.get(exercise.id)
        if entry is None or entry.status != PASSED:
            return exercise
    return None


def current_exercise(course: Course, progress: Progress) -> Exercise:
    """The exercise a bare `check` or `hint` means: the current one, else the first not passed."""
    if progress.current and progress.current in course.ids:
        return course.get(progress.current)
    return first_unpassed(course, progress) or course.exercises[-1]


def chosen_or_current(course: Course, workspace: Workspace, exercise_id: str | None) -> Exercise:
    """The exercise named, or the one a bare `check`, `hint` or `reset` means."""
    if exercise_id:
        return course.get(exercise_id)
    return current_exercise(course, load_progress(workspace.progress_path))


def next_task(course: Course, workspace: Workspace, exercise_id: str | None = None,
              as_notebook: bool = False, convert: bool = False) -> Task:
    """Install the stub of the next exercise (or of `exercise_id`) and make it current.

    as_notebook: write it as a notebook (`softmax.ipynb`: the task, the stub, a check cell) instead.
    One source per exercise: without `as_notebook`, an existing notebook (and no .py) stays the
    exercise's file. With `as_notebook` over an existing .py, SourceConflict, unless `convert`: the
    .py's code becomes the notebook's stub cell and the .py moves to the backups. `convert` without
    `as_notebook` turns an existing notebook into the .py the same way (its exercise code only)."""
    progress = load_progress(workspace.progress_path)
    if exercise_id:
        exercise = course.get(exercise_id)
        all_passed = False
    else:
        exercise = first_unpassed(course, progress)
        all_passed = exercise is None
        if exercise is None:
            exercise = course.exercises[-1]
    workspace.ensure_exists()
    lines, summary = signatures(exercise)
    py, nb = own_sources(workspace, exercise)
    wanted, other = (nb, py) if as_notebook else (py, nb)
    converted = None
    if os.path.lexists(wanted) or not os.path.lexists(other):
        if as_notebook:
            path, created = workspace.install_new(nb, lambda: _task_notebook_bytes(exercise, lines, summary))
        else:
            path, created = workspace.install_stub(exercise)
    elif not as_notebook and not convert:
        path, created = nb, False  # the learner works in the notebook form: it stays the exercise's file
    elif not convert:
        raise SourceConflict(f"{other}: your work on {exercise.id} is already in this .py file; "
                             f"`d2lcoach next --notebook --convert --exercise {exercise.id}` turns it into "
                             f"{nb.name} (the .py is kept as a backup), or keep working in the .py",
                             other, wanted)
    else:
        path, created, converted = _convert(workspace, exercise, other, wanted, lines, summary)
    with update_progress(workspace.progress_path) as live:
        if not all_passed:
            live.record_start(exercise.id)
    return Task(exercise, path, created, lines, summary, all_passed, converted)


def _convert(workspace: Workspace, exercise: Exercise, old: Path, new: Path, lines: list[str],
             summary: str) -> tuple[Path, bool, Path]:
    """Turn `old` (one form of the exercise) into `new` (the other): the backup first, then the new
    file, then the old one goes. Returns (new, created, backup)."""
    try:
        data = old.read_bytes()
    except OSError as exc:
        raise UsageError(f"{old}: cannot read: {exc.strerror or exc}") from None
    if notebook.is_notebook(old):
        code = notebook.extract_file(old, exercise.functions).source
        make = lambda: code.encode("utf-8")  # noqa: E731
    else:
        code = read_submission(old)
        make = lambda: _task_notebook_bytes(exercise, lines, summary, stub=code)  # noqa: E731
    backup = workspace.keep_backup(exercise.id, data, suffix=old.suffix)
    path, created = workspace.install_new(new, make)
    if not created:
        raise UsageError(f"{new}: appeared while converting; nothing was removed ({old} is still there)")
    try:
        old.unlink()
    except OSError as exc:
        raise UsageError(f"{old}: converted to {new.name} but could not be removed: {exc.strerror or exc}") from None
    return path, created, backup


def source_path(workspace: Workspace, exercise: Exercise) -> Path:
    """The exercise's source in the workspace: its .py file or its notebook, whichever exists (both:
    the one saved last, the .py on a tie); the .py's place when neither exists yet."""
    py, nb = own_sources(workspace, exercise)
    if not nb.exists():
        return py
    if not py.exists():
        return nb
    try:
        return nb if nb.stat().st_mtime_ns > py.stat().st_mtime_ns else py
    except OSError:
        return py


def other_source(workspace: Workspace | None, exercise: Exercise, path: Path) -> Path | None:
    """When `path` is one form of the exercise in the workspace and the other form exists too: that one."""
    if workspace is None:
        return None
    py, nb = own_sources(workspace, exercise)
    for this, that in ((py, nb), (nb, py)):
        if _same_file(path, this) and that.exists():
            return that
    return None


def notebook_path(workspace: Workspace, exercise: Exercise) -> Path:
    """Where the notebook form of an exercise lives: beside the .py form, `softmax.ipynb`."""
    return workspace.exercise_file(exercise).with_suffix(notebook.NOTEBOOK_SUFFIX)


def _task_notebook_bytes(exercise: Exercise, signature: list[str], summary: str, stub: str | None = None) -> bytes:
    document = notebook.task_notebook(
        exercise_id=exercise.id, title=exercise.title, chapter=f"Chapter {exercise.chapter.number}: "
        f"{exercise.chapter.title}", section=exercise.section, link=exercise.link, summary=summary,
        signature=signature, stub=exercise.stub_path.read_text(encoding="utf-8") if stub is None else stub,
        hints_command=f"%d2lcoach hint {exercise.id}")
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


@dataclasses.dataclass
class Submission:
    """A learner's file as the grader sees it: the source to grade, and for a notebook, where it came from."""

    path: Path
    source: str
    extracted: notebook.Extracted | None = None

    def finish(self, result: CheckResult) -> CheckResult:
        """Name notebook cells, not lines of the extracted module, in the result's messages."""
        return notebook.relabel_result(result, self.extracted) if self.extracted else result


def load_submission(path: Path, exercise: Exercise, within: Path | None = None) -> Submission:
    """Read a .py file, or take the exercise's functions out of a notebook (no cell runs).

    within: the student's folder, which the path must not leave (no link is followed in any case)."""
    if notebook.is_notebook(path):
        extracted = notebook.extract_file(path, exercise.functions, within)
        return Submission(Path(path), extracted.source, extracted)
    return Submission(Path(path), read_submission(path, within=within))


def resolve_target(course: Course, workspace: Workspace | None, exercise_id: str | None,
                   file: Path | None) -> tuple[Exercise, Path]:
    """Which exercise and which file a `check` means (`workspace` is None only with a `file`)."""
    if exercise_id:
        exercise = course.get(exercise_id)
    elif file is not None and Path(file).stem in course.ids:
        exercise = course.get(Path(file).stem)
    elif workspace is None:
        raise UsageError(f"{file}: which exercise is it? name it: `d2lcoach check EXERCISE --file {file}`")
    else:
        exercise = current_exercise(course, load_progress(workspace.progress_path))
    path = Path(file) if file is not None else source_path(workspace, exercise)
    if file is None and not path.exists():
        raise UsageError(f"{path}: no such file; run `d2lcoach next --exercise {exercise.id}` to get its stub")
    return exercise, path


def own_sources(workspace: Workspace, exercise: Exercise) -> tuple[Path, Path]:
    """The two files that can be an exercise's source in the workspace: its .py file and its notebook."""
    return workspace.exercise_file(exercise), notebook_path(workspace, exercise)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def is_own_source(workspace: Workspace | None, exercise: Exercise, path: Path) -> bool:
    """True when `path` is the exercise's .py file or notebook in `workspace`."""
    return workspace is not None and any(_same_file(path, own) for own in own_sources(workspace, exercise))


def recorded_name(workspace: Workspace, path: Path) -> str:
    """How the progress file names a graded file: relative to the workspace inside it, absolute outside."""
    full = Path(path).absolute()
    for inside, root in ((full, workspace.root.absolute()), (full.resolve(), workspace.root.resolve())):
        try:
            return inside.relative_to(root).as_posix()
        except ValueError:
            continue  # perhaps the same folder reached through a link: compare the real paths too
    return str(full)


def record_check(workspace: Workspace | None, exercise: Exercise, result: CheckResult, source: str,
                 path: Path | None = None, force: bool = False) -> bool:
    """Count a check in the progress file (only when there is a workspace and its folder exists).

    A check of `path` that is not the exercise's own file in the workspace (its .py or its notebook)
    is a try-out: nothing is recorded unless `force` (`check --record`). Returns whether it was recorded.
    """
    if workspace is None or not workspace.root.is_dir():
        return False
    if path is not None and not force and not is_own_source(workspace, exercise, path):
        return False
    failures = 0 if result.passed else max(1, len(result.failures()))  # an error counts as one
    with update_progress(workspace.progress_path) as progress:
        progress.record_check(exercise.id, result.passed, result.per_device(), result.score,
                              file_hash(source), file=recorded_name(workspace, path) if path else None,
                              failures=failures)
        if progress.current is None:
            progress.current = exercise.id
    return True


DEVICE_CHOICES = ("all", "cpu", "cuda", "npu", "meta")


def check_device(device: str) -> None:
    """Refuse a `--device` that is none of DEVICE_CHOICES, in one line."""
    if device.lower() not in DEVICE_CHOICES:
        raise UsageError(f"unknown device {device!r}; choose one of: {', '.join(DEVICE_CHOICES)}")


@dataclasses.dataclass
class Checked:
    """One `check`: the result, the file graded, whether it was recorded, and what else there is to say."""
    exercise: Exercise
    path: Path
    result: CheckResult
    recorded: bool  # counted in the progress file (False for a try-out, or without a workspace)
    other_source: Path | None = None  # the exercise's other form in the workspace, not graded (saved first)
    saved_case: object = None  # d2lcoach.grading.savecase's SavedCase, when save_case was asked for


def check(course: Course, workspace: Workspace | None, exercise_id: str | None = None, file: Path | None = None,
          *, device: str = "all", seed: int | None = None, record: bool = False, sandbox=None,
          save_case: Path | None = None) -> Checked:
    """Grade an exercise in the sandbox on every device asked for, and record it in the progress file.

    exercise_id: default the current one (or the name of `file`). file: grade this file instead of the
    workspace's (a try-out unless it is the exercise's own file, or `record`). device: "all", "cpu",
    "cuda" or "meta". sandbox: a started or unstarted Sandbox to grade in (default: a new one, with the
    workspace hidden); it is closed at the end. save_case: a folder to write the first failing
    case's inputs to. Raises UsageError for bad input and SandboxError when the sandbox cannot run.
    """
    check_device(device)
    exercise, path = resolve_target(course, workspace, exercise_id, file)
    if record and workspace is None:
        raise UsageError("--record counts the check in a workspace's progress, and there is none here; "
                         "pass --workspace DIR")
    submission = load_submission(path, exercise)
    from d2lcoach.sandbox import Sandbox
    if sandbox is None:
        sandbox = Sandbox(hidden=[workspace.root] if workspace else [])
    with sandbox.start():  # the worker imports torch while we do
        from d2lcoach.grading.engine import grade_source, resolve_devices
        devices = resolve_devices(device)
        if ("cuda" in devices) != sandbox.cuda or ("meta" in devices and not sandbox.meta):
            sandbox.close()
            sandbox.cuda, sandbox.meta = "cuda" in devices, "meta" in devices
            sandbox.start()
        result = submission.finish(grade_source(exercise, submission.source, str(path), sandbox=sandbox,
                                                devices=devices, seed=seed))
    recorded = record_check(workspace, exercise, result, submission.source, path, force=record)
    saved = None
    if save_case is not None:
        from d2lcoach.grading.savecase import save_failing_case
        saved = save_failing_case(exercise, result, save_case, path)
    return Checked(exercise, path, result, recorded, other_source(workspace, exercise, path) if file is None else None,
                   saved)


@dataclasses.dataclass
class HintView:
    exercise: Exercise
    hints: list[str]  # the hints to show now
    number: int  # the number of the last hint shown (1-based)
    total: int


def hint(course: Course, workspace: Workspace, exercise_id: str | None, show_all: bool = False) -> HintView:
    progress = load_progress(workspace.progress_path)
    exercise = course.get(exercise_id) if exercise_id else current_exercise(course, progress)
    total = len(exercise.hints)
    shown = progress.exercises[exercise.id].hints_shown if exercise.id in progress.exercises else 0
    if show_all:
        count = total
    else:
        count = min(shown + 1, total)
    if workspace.root.is_dir():
        with update_progress(workspace.progress_path) as live:
            entry = live.for_exercise(exercise.id)
            while entry.hints_shown < count:
                live.record_hint(exercise.id)
    hints = list(exercise.hints[:count]) if show_all else [exercise.hints[count - 1]]
    return HintView(exercise, hints, count, total)


def reset(course: Course, workspace: Workspace, exercise_ids: list[str]) -> list[tuple[Exercise, Path, Path | None]]:
    """Restore stubs; the learner's versions are kept as timestamped backups, never deleted."""
    exercises = [course.get(i) for i in exercise_ids]
    workspace.ensure_exists()
    done = []
    for exercise in exercises:
        path = source_path(workspace, exercise)  # a notebook is reset to the task notebook, not given a .py
        backup = workspace.reset(exercise, target=path, stub=_stub_for(exercise, path))
        done.append((exercise, path, backup))
    return done


def _stub_for(exercise: Exercise, path: Path) -> bytes | None:
    """The stub of the form `path` is: the task notebook for a notebook, None (the .py stub) otherwise."""
    if not notebook.is_notebook(path):
        return None
    lines, summary = signatures(exercise)
    return _task_notebook_bytes(exercise, lines, summary)


def restore(course: Course, workspace: Workspace, exercise_id: str | None) -> tuple[Exercise, Path, Path, Path | None]:
    """Bring back the newest backup of an exercise (default: the current one); the file it replaces is
    kept as a backup. Returns (exercise, its file, the backup restored, the new backup or None)."""
    exercise = chosen_or_current(course, workspace, exercise_id)
    path = source_path(workspace, exercise)
    restored, kept = workspace.restore(exercise, target=path, stub=_stub_for(exercise, path))
    return exercise, path, restored, kept


def solution(course: Course, workspace: Workspace, exercise_id: str, force: bool) -> tuple[Exercise, str]:
    exercise = course.get(exercise_id)
    progress = load_progress(workspace.progress_path)
    entry = progress.exercises.get(exercise.id)
    passed = entry is not None and entry.ever_passed
    if not passed and not force:
        raise UsageError(f"you have not passed {exercise.id} yet; pass it first, or use --force "
                         "(your progress file records that you looked)")
    if workspace.root.is_dir():
        with update_progress(workspace.progress_path) as live:
            live.record_solution(exercise.id, forced=not passed)
    return exercise, exercise.solution_path.read_text(encoding="utf-8")


@dataclasses.dataclass
class Row:
    exercise: Exercise
    status: str
    attempts: int
    hints: int
    current: bool
    #: For a passed exercise whose last check failed: "your current file fails 2 checks".
    note: str = ""
    best_score: float | None = None
    best_file: str | None = None


def later_failure(entry) -> str:
    """What `list` adds to a passed exercise whose last check failed (the pass is kept), else ""."""
    if entry is None or entry.status != PASSED or not entry.last_failures:
        return ""
    count = entry.last_failures
    return f"your current file fails {count} check{'s' if count != 1 else ''}"


def overview(course: Course, workspace: Workspace) -> tuple[list[Row], int]:
    progress = load_progress(workspace.progress_path)
    rows = []
    for exercise in course.exercises:
        entry = progress.exercises.get(exercise.id)
        rows.append(Row(exercise, entry.status if entry else "not started", entry.attempts if entry else 0,
                        entry.hints_shown if entry else 0, progress.current == exercise.id,
                        later_failure(entry), entry.best_score if entry else None,
                        entry.best_file if entry else None))
    return rows, sum(r.status == PASSED for r in rows)


#: How `doctor` marks a progress file it cannot read (and exits 1).
BROKEN = "BROKEN"


def doctor(course: Course, workspace: Workspace | None, found: str, *, probe_devices: bool = True) -> dict:
    """Facts about the set-up: versions, devices, sandbox, workspace (None: none found) and progress file;
    `found` says how the workspace was chosen. probe_devices=False is the fast part: it never imports
    torch (versions as installed, devices not probed)."""
    from d2lcoach import __version__
    from d2lcoach.sandbox import LEVEL_TEXT, SandboxError, available_level
    packages = _device_facts() if probe_devices else _installed_facts()
    try:
        level = available_level()
        isolation = LEVEL_TEXT[level]
    except SandboxError as exc:
        level, isolation = "unavailable", str(exc)
    if workspace is None:
        where, progress_state = "none found here or above; run `d2lcoach init`", "none"
    else:
        where = str(workspace.root) + ("" if workspace.root.is_dir() else " (not created yet)")
        try:
            progress = load_progress(workspace.progress_path)
            progress_state = (f"{workspace.progress_path}: {len(progress.exercises)} exercise(s) recorded"
                              if workspace.progress_path.exists() else
                              f"{workspace.progress_path}: not created yet")
        except UsageError as exc:
            progress_state = f"{BROKEN}: {exc}"
    return {
        "d2lcoach": __version__,
        "python": f"{platform.python_version()} ({sys.executable})",
        **packages,
        "sandbox": isolation,
        "sandbox level": level,
        "course": f"{course.source} ({len(course.exercises)} exercises)",
        "workspace": where,
        "progress file": progress_state,
        "workspace from": found,
    }


#: What `doctor --fast` says of the facts that only importing torch can tell.
NOT_PROBED = "not probed (--fast)"


def _device_facts() -> dict:
    """torch's and torchvision's versions as imported, CUDA, and the devices `check` uses (imports torch)."""
    import torch
    from d2lcoach.grading.engine import describe_devices, resolve_devices
    try:
        import torchvision
        tv = torchvision.__version__
    except Exception as exc:  # noqa: BLE001 - report, don't fail
        tv = f"not importable ({type(exc).__name__})"
    return {"torch": torch.__version__, "torchvision": tv, "cuda available": torch.cuda.is_available(),
            "devices for checks": describe_devices(resolve_devices("all"))}


def _installed_facts() -> dict:
    """The same keys without importing torch: versions from the installed packages' metadata."""
    from importlib import metadata

    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"
    return {"torch": installed("torch"), "torchvision": installed("torchvision"),
            "cuda available": NOT_PROBED, "devices for checks": NOT_PROBED}


def check_all(course: Course, workspace: Workspace, *, devices: list[str], seed: int | None,
              jobs: int = 2) -> list[tuple[Exercise, Path, CheckResult | None, str | None]]:
    """Grade every exercise file present in the workspace, `jobs` warm sandboxes in parallel.

    Returns (exercise, path, result or None, problem or None) in course order; files that cannot be
    read are reported, not fatal. Each result is recorded in the progress file.
    """
    import concurrent.futures
    import threading

    from d2lcoach.grading.engine import grade_source, new_seed
    from d2lcoach.sandbox import Sandbox
    seed = new_seed() if seed is None else seed
    present = [(e, source_path(workspace, e)) for e in course.exercises if source_path(workspace, e).exists()]
    if not present:
        raise UsageError(f"{workspace.root}: no exercise files yet; start with `d2lcoach next`")
    local = threading.local()
    boxes: list[Sandbox] = []
    lock = threading.Lock()

    def grade(item):
        exercise, path = item
        try:
            submission = load_submission(path, exercise)
        except UsageError as exc:
            return exercise, path, None, str(exc)
        box = getattr(local, "box", None)
        if box is None:
            box = local.box = Sandbox(hidden=[workspace.root], cuda="cuda" in devices, meta="meta" in devices).start()
            with lock:
                boxes.append(box)
        result = submission.finish(grade_source(exercise, submission.source, str(path), sandbox=box,
                                                devices=devices, seed=seed))
        record_check(workspace, exercise, result, submission.source, path)
        return exercise, path, result, None

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(jobs, len(present)))) as pool:
            return list(pool.map(grade, present))
    finally:
        for box in boxes:
            box.close()
