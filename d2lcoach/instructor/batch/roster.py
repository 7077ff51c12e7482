"""Reading the roster: the inputs checked, the exercises chosen, one folder per student listed."""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.learner.files import LINK_REASON, RefusedFile, is_folder, is_link
from d2lcoach.text import clean
from d2lcoach.learner.notebook import extract_file, is_notebook


def check_inputs(roster: Path, out: Path) -> tuple[Path, Path]:
    """The roster and report folders as absolute paths; UsageError when they cannot be used."""
    roster = Path(roster).expanduser().absolute()
    out = Path(out).expanduser().absolute()
    if not roster.exists():
        raise UsageError(f"{roster}: roster folder not found")
    if not roster.is_dir():
        raise UsageError(f"{roster}: is not a folder; a roster is a folder with one folder per student")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; REPORT_DIR must be a folder (it is created if missing)")
    real_roster, real_out = roster.resolve(), out.resolve()
    if real_out == real_roster or real_roster in real_out.parents:
        raise UsageError(f"{out}: REPORT_DIR must not be inside the roster {roster}; choose a folder beside it")
    return roster, out


def select_exercises(course: Course, ids: list[str] | None) -> list[Exercise]:
    """The exercises asked for, in course order (all of them when none are named)."""
    if not ids:
        return list(course.exercises)
    wanted = set()
    for exercise_id in ids:
        wanted.add(course.get(exercise_id).id)  # UsageError for an unknown id
    return [e for e in course.exercises if e.id in wanted]


def list_roster(roster: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """(student, folder) for each student folder, sorted, and the loose files at the roster's top."""
    students, loose = [], []
    try:
        entries = sorted(roster.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise UsageError(f"{roster}: cannot list the roster: {exc.strerror or exc}") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if is_folder(entry):  # a link to a folder is no student: it would show another's files
            students.append((entry.name, entry))
        else:
            loose.append(entry.name)
    if not students:
        raise UsageError(f"{roster}: holds no student folders; a roster has one folder per student, "
                         "each holding files such as softmax.py")
    return students, loose


@dataclasses.dataclass(frozen=True)
class FileNote:
    """A file handed in under another name than the exercise's: graded with a note, or not graded."""

    student: str
    file: str  # as found, relative to the student's folder, e.g. "hw1/softmax.py"
    exercise: str  # the exercise it probably is
    graded: bool  # True: graded as that exercise; False: not graded (see text)
    text: str  # one line for the instructor and the learner
    not_asked: bool = False  # an exercise's own file, left alone because the run was asked for others (-e)

    def to_json(self) -> dict:
        return {"file": self.file, "exercise": self.exercise, "graded": self.graded, "text": self.text}


@dataclasses.dataclass
class StudentFiles:
    """What one student folder holds: the file found for each exercise, notes on misnamed files, the rest."""

    found: dict[str, Path]  # exercise id -> the file to grade for it
    relpaths: dict[str, str]  # exercise id -> that file relative to the student's folder
    notes: list[FileNote]
    ignored: list[str]  # names that are not graded (folders end with /)


def did_you_mean(student: str, shown: str, name: str, by_id: dict[str, Exercise],
                  found: dict[str, Path]) -> FileNote | None:
    """A note for a file not graded whose name is close to an exercise that has no file, else None."""
    stem, _, suffix = name.rpartition(".") if "." in name else (name, "", "")
    close = difflib.get_close_matches(stem.lower(), list(by_id), n=1, cutoff=0.8)
    if not close or by_id[close[0]].id in found:
        return None
    exercise = by_id[close[0]]
    if suffix.lower() == "ipynb":
        text = (f"`{shown}` was not graded: it defines none of {', '.join(exercise.functions)}; "
                f"did you mean `{exercise.filename}`?")
    else:
        text = f"`{shown}` was not graded: did you mean `{exercise.filename}`?"
    return FileNote(student, shown, exercise.id, False, text)


def not_asked_text(shown: str, asked: set[str]) -> str:
    """Why an exercise's file was left alone: the run was asked for other exercises only (`-e`)."""
    return f"`{shown}` was not graded in this run: only {', '.join(sorted(asked))} {'was' if len(asked) == 1 else 'were'} asked for"


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.iterdir(), key=lambda p: p.name)


def _find_notebooks(student: str, folder: Path, course: Course, entries: list[Path], inner: list[Path],
                    found: dict[str, Path], relpaths: dict[str, str], notes: list[FileNote], used: set[Path]):
    """Exercises still without a file, graded from a notebook: `softmax.ipynb` (any case, or in the single
    subfolder), else any notebook that defines the exercise's functions (read statically, no cell runs)."""
    candidates = [(p, "") for p in entries] + [(p, f"{p.parent.name}/") for p in inner]
    notebooks = [(p, w) for p, w in candidates if is_notebook(p) and not is_folder(p)]
    for exercise in course.exercises:
        if exercise.id in found:
            continue
        named = [(p, w) for p, w in notebooks if p.stem.lower() == exercise.id.lower()]
        for path, where in named + [nb for nb in notebooks if nb not in named]:
            refused = False
            try:
                extract_file(path, exercise.functions, folder)
            except RefusedFile:  # a link named softmax.ipynb: taken, so that its refusal reaches the student
                if (path, where) not in named:
                    continue
                refused = True
            except UsageError:
                continue
            shown = clean(where + path.name, one_line=True)
            found[exercise.id], relpaths[exercise.id] = path, shown
            used.add(path)
            if refused:
                break
            notes.append(FileNote(student, shown, exercise.id, True,
                                  f"`{exercise.id}` was graded from the notebook `{shown}` (its functions, read "
                                  "without running any cell)"))
            break


def find_submissions(student: str, folder: Path, course: Course) -> StudentFiles:
    """Find each exercise's file in a student folder: `softmax.py` as named; else, with a note, a name
    that differs only in case (`Softmax.py`) or the file inside the folder's single subfolder
    (`hw1/softmax.py`); else a notebook (`softmax.ipynb`, or one that defines the exercise's functions).
    Files that are probably an exercise but cannot be graded (`sofmax.py`) get a note with "did you mean"."""
    try:
        entries = _entries(folder)
        subfolders = [p for p in entries if is_folder(p) and not p.name.startswith(".")]
        inner = _entries(subfolders[0]) if len(subfolders) == 1 else []
    except OSError as exc:
        return StudentFiles({}, {}, [], [f"(cannot list the folder: {exc.strerror or exc})"])
    by_id = {e.id.lower(): e for e in course.exercises}
    found: dict[str, Path] = {}
    relpaths: dict[str, str] = {}
    notes: list[FileNote] = []
    used: set[Path] = set()
    for exercise in course.exercises:
        exact = folder / exercise.filename
        if exact in entries:
            found[exercise.id], relpaths[exercise.id] = exact, exercise.filename
            used.add(exact)
    for exercise in course.exercises:
        if exercise.id in found:
            continue
        for path, where in [(p, "") for p in entries] + [(p, f"{p.parent.name}/") for p in inner]:
            if path in used or is_folder(path) or path.name.lower() != exercise.filename.lower():
                continue
            shown = clean(where + path.name, one_line=True)
            why = []
            if path.name != exercise.filename:
                why.append("its name differs only in case")
            if where:
                why.append(f"it is in the subfolder {where}")
            found[exercise.id], relpaths[exercise.id] = path, shown
            used.add(path)
            notes.append(FileNote(student, shown, exercise.id, True,
                                  f"`{shown}` was graded as `{exercise.filename}` ({' and '.join(why)}); "
                                  f"next time hand it in as `{exercise.filename}` at the top of the folder"))
            break
    _find_notebooks(student, folder, course, entries, inner, found, relpaths, notes, used)
    ignored = []
    inner_used = any(u.parent != folder and u.parent in subfolders for u in used)
    for path, where in [(p, "") for p in entries] + [(p, f"{p.parent.name}/") for p in inner]:
        if path in used or (is_folder(path) and inner_used and path == subfolders[0]):
            continue
        shown = clean(where + path.name, one_line=True) + ("/" if is_folder(path) else "")
        if inner_used or not where:
            ignored.append(shown)
        if is_link(path):
            note = FileNote(student, shown, "", False, f"`{shown}` {LINK_REASON}; it was not graded")
        else:
            note = None if is_folder(path) else did_you_mean(student, shown, path.name, by_id, found)
        if note is not None:
            notes.append(note)
    return StudentFiles(found, relpaths, notes, ignored)
