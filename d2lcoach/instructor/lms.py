"""Submission downloads of learning-management systems, read into a roster that `grade` can grade.

Recognised layouts (of a folder, or of a .zip holding one):
- `canvas`: loose files `name_userid_attachmentid_file` (late ones `name_late_userid_...`), parsed
  as Canvas itself reads them back (the first two all-digit parts between underscores are the user
  and the attachment; see `canvas_name`); Canvas renames a resubmitted file `softmax-1.py`, which
  counts as `softmax.py`.
- `moodle`: one folder per submission, `Full Name_12345_assignsubmission_file_/` holding the files.
- `github-classroom`: a folder of student repositories `assignment-login/` (git checkouts); the
  login is what follows the assignment prefix the folders share.
- `roster`: d2lcoach's own layout, one folder per student.

Students keep their identifiers through to the gradebook. A file that cannot be placed is listed,
never silently dropped. Notebooks are turned into the exercise's module (see d2lcoach.learner.notebook).
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import re
import shutil
import stat
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

from d2lcoach.course import Course
from d2lcoach.errors import UsageError
from d2lcoach.learner.files import RefusedFile, files_under, is_folder, read_bytes
from d2lcoach.text import clean
from d2lcoach.learner.notebook import MAX_NOTEBOOK_BYTES, NOTEBOOK_SUFFIX, extract_file

CANVAS = "canvas"
MOODLE = "moodle"
GITHUB = "github-classroom"
ROSTER = "roster"
FORMATS = (CANVAS, MOODLE, GITHUB, ROSTER)

#: Limits on what an export zip may unpack to (a zip bomb is refused, not unpacked).
MAX_ZIP_BYTES = 1 << 30
MAX_ZIP_FILES = 100_000
IDENTITIES_NAME = "students.json"
#: Why a single member may fail to unpack (its name, or a file where a folder is): it alone is set aside.
_MEMBER_ERRORS = (errno.ENAMETOOLONG, errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.EINVAL, errno.EILSEQ)

_DIGITS = re.compile(r"^[0-9]+$")
_MOODLE_DIR = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assign(submission|feedback)_[a-z]+_?$")
_SAFE_KEY = re.compile(r"^[\w-][\w.-]{0,79}$")
_RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<number>\d{1,9})(?P<suffix>\.[A-Za-z0-9]+)$")


@dataclasses.dataclass
class Student:
    """One learner of an export: the ids the LMS knows them by, and their files."""

    key: str  # the folder name in the roster we grade (unique, filesystem-safe)
    name: str
    lms_id: str = ""
    sis_id: str = ""
    login: str = ""
    section: str = ""
    late: bool = False
    files: list[Path] = dataclasses.field(default_factory=list)
    lms_prefix: str = ""  # Canvas: `name_userid_attachmentid`, the part of a file name its re-upload reads
    folder: Path | None = None  # the folder the files must not leave (links are never followed)

    def identity(self) -> dict:
        return {"key": self.key, "name": self.name, "id": self.lms_id, "sis_id": self.sis_id,
                "login": self.login, "section": self.section, "late": self.late}


@dataclasses.dataclass
class Export:
    format: str
    root: Path
    students: list[Student]
    unplaced: list[str]  # files that belong to no student, named as in the export
    set_aside: list[str] = dataclasses.field(default_factory=list)  # not graded, each with why (one line)


@dataclasses.dataclass(frozen=True)
class CanvasName:
    """A Canvas download's file name, `doejane[_late]_123_4567_softmax.py`, as Canvas reads it back."""

    name: str  # Canvas's sortable name without punctuation (`doejane`); may hold underscores
    late: bool
    user_id: str
    attachment_id: str
    file: str  # the name the student handed the file in as

    @property
    def prefix(self) -> str:
        """What a feedback file must start with for Canvas's re-upload to attach it to this submission."""
        return f"{self.name}_{self.user_id}_{self.attachment_id}"


def canvas_name(name: str) -> CanvasName | None:
    """Parse a Canvas submission file name, or None.

    Canvas's ContentZipper writes `[name][_late]_<user id>_<attachment id>_<file>` (the name lowercased,
    without punctuation, any `_<digits>_` in it joined up; older Canvas wrote `LATE`), and its re-upload
    (`Assignment#infer_comment_context_from_filename`) takes the first two all-digit parts between
    underscores as the user and the attachment. The same rule is used here."""
    parts = name.split("_")
    for i in range(len(parts) - 2):
        if _DIGITS.match(parts[i]) and _DIGITS.match(parts[i + 1]):
            file = "_".join(parts[i + 2:])
            if not file or "/" in name:
                return None
            head = parts[:i]
            late = bool(head) and head[-1].lower() == "late"
            if late:
                head = head[:-1]
            return CanvasName("_".join(head), late, parts[i], parts[i + 1], file)
        if _DIGITS.match(parts[i]):
            return None  # one number alone: not Canvas's pair of ids
    return None


def _shown(name: str) -> str:
    """A name from the export as one line of text: control and bidi characters escaped visibly."""
    return clean(name, one_line=True)


def _safe_key(text: str) -> str:
    """A filesystem-safe rendering of a name, letters kept (`Élodie Brûlé` -> `Élodie_Brûlé`); unique only
    beside the LMS id it is joined with. Composed first, so a macOS name (e + U+0301) keeps its `é`."""
    key = re.sub(r"[^\w.-]+", "_", unicodedata.normalize("NFC", text)).strip("._") or "student"
    return key[:80]


def _unique_key(text: str) -> str:
    """A roster folder name for a name without an LMS id beside it: the name itself when it is safe
    (`_alice` stays `_alice`), else a safe rendering with a digest of the name, so two never share one."""
    if _SAFE_KEY.match(text):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{_safe_key(text)[:64]}-{digest}"


#: Info-ZIP's Unicode Path extra field: version 1, the CRC-32 of the header's name, the name in UTF-8.
_UNICODE_PATH_EXTRA = 0x7075
_UTF8_FLAG = 0x800  # general purpose bit 11: the header's name is UTF-8


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> str | None:
    """The name in an Info-ZIP Unicode Path extra field (0x7075), if it is there, of version 1, and
    written for this very name (its CRC-32 matches the header's name bytes, as APPNOTE 4.6.9 asks)."""
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4:at + 4 + size]
        at += 4 + size
        if tag != _UNICODE_PATH_EXTRA or len(body) < 5 or body[0] != 1:
            continue
        (crc,) = struct.unpack_from("<I", body, 1)
        if crc != zlib.crc32(raw_name):
            return None  # the name was changed after the field was written: the field is stale
        try:
            return body[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def member_name(member: zipfile.ZipInfo) -> str:
    """A zip member's real name, decoded as the zip says: UTF-8 when flag bit 11 is set; else the
    Info-ZIP Unicode Path extra field (0x7075); else the header's bytes, which APPNOTE says are CP437
    (Python decodes them so) but which zip tools on Linux and macOS write as UTF-8 without the flag:
    bytes that are valid UTF-8 with a non-ASCII letter are read as UTF-8 (CP437 text almost never is)."""
    if member.flag_bits & _UTF8_FLAG:
        return member.filename
    try:
        raw = member.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return member.filename
    name = _unicode_path_extra(member.extra, raw)
    if name is None:
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            return member.filename
    name = name.split("\x00", 1)[0].replace(os.sep, "/")  # as zipfile.ZipInfo cuts its own name
    return name.rstrip("/") + "/" if member.is_dir() else name


def _unpack_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path, root: Path) -> str:
    """Unpack one member under `dest`; or why it is set aside (a link, a path out of the archive, too large)."""
    name = member_name(member)
    target = (dest / name).resolve()
    if name.startswith("/") or ".." in Path(name).parts or (root != target and root not in target.parents):
        return "a path outside the archive"
    if stat.S_ISLNK(member.external_attr >> 16):
        return "a symbolic link: submissions are read as data, links are not followed"
    if member.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return ""
    if member.file_size > MAX_NOTEBOOK_BYTES:
        return f"{member.file_size} bytes, larger than any submission may be"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(member) as src, open(target, "xb") as out:
            shutil.copyfileobj(src, out)
    except OSError as exc:
        if exc.errno not in _MEMBER_ERRORS:
            raise
        return f"cannot be unpacked: {exc.strerror or exc}"
    return ""


def unpack_zip(archive: Path, dest: Path, set_aside: list[str] | None = None) -> Path:
    """Unpack an export zip safely: no paths outside `dest`, no links, bounded size.

    A member that is a link, leads outside the archive, is larger than any submission or cannot be
    written is not unpacked: it is listed in `set_aside` with why, and the rest is unpacked."""
    set_aside = [] if set_aside is None else set_aside
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_ZIP_FILES:
                raise UsageError(f"{archive}: holds {len(members)} files; at most {MAX_ZIP_FILES} are unpacked")
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise UsageError(f"{archive}: unpacks to more than 1 GiB; refused")
            root = dest.resolve()
            for member in members:
                why = _unpack_member(zf, member, dest, root)
                if why:
                    set_aside.append(f"{_shown(member_name(member))}: not unpacked from the zip: {why}")
    except zipfile.BadZipFile:
        raise UsageError(f"{archive}: not a zip file") from None
    except OSError as exc:
        raise UsageError(f"{archive}: cannot unpack: {exc.strerror or exc}") from None
    entries = [p for p in dest.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir() and not _looks_like(entries[0]) \
            and not _MOODLE_DIR.match(entries[0].name):  # a Moodle class of one is still a Moodle export
        return entries[0]  # a zip of one folder: the export is that folder
    return dest


def _looks_like(folder: Path) -> bool:
    """Whether a folder is itself an export (rather than the one folder a zip was made of)."""
    try:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return False
    return any(_MOODLE_DIR.match(p.name) for p in entries if p.is_dir()) or any(
        canvas_name(p.name) for p in entries if p.is_file())


def read_export(path: Path, scratch: Path) -> Export:
    """Recognise the export at `path` (a folder or a .zip, unpacked under `scratch`)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise UsageError(f"{path}: not found")
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise UsageError(f"{path}: is a file; give a roster folder or an LMS export (.zip or folder)")
        unpacked = scratch / "export"
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir(parents=True)
        set_aside: list[str] = []
        folder = unpack_zip(path, unpacked, set_aside)
        export = _read_folder(folder, path)
        code = any(p.suffix.lower() in (".py", NOTEBOOK_SUFFIX) for s in export.students for p in s.files)
        if export.format == ROSTER and (export.unplaced or not code):
            raise UsageError(f"{path}: an export of an unknown layout (not Canvas, Moodle, GitHub Classroom "
                             "or one folder per student)")
        export.set_aside += set_aside
        return export
    return _read_folder(path, path)


def _read_folder(folder: Path, shown: Path) -> Export:
    try:
        entries = sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    except OSError as exc:
        raise UsageError(f"{shown}: cannot list: {exc.strerror or exc}") from None
    dirs = [p for p in entries if is_folder(p)]  # a link to a folder is a file here, refused when read
    files = [p for p in entries if p not in dirs]
    if files and sum(bool(canvas_name(p.name)) for p in files) * 2 >= len(files):
        return _canvas(folder, files, dirs)
    if dirs and sum(bool(_MOODLE_DIR.match(p.name)) for p in dirs) * 2 >= len(dirs):
        return _moodle(folder, files, dirs)
    github = _github(folder, files, dirs)
    if github is not None:
        return github
    students = [Student(key=_unique_key(d.name), name=d.name, files=files_under(d), folder=d) for d in dirs]
    return Export(ROSTER, folder, students, [_shown(p.name) for p in files])


def _canvas(folder: Path, files: list[Path], dirs: list[Path]) -> Export:
    students: dict[str, Student] = {}
    unplaced = [_shown(d.name) + "/" for d in dirs]
    set_aside: list[str] = []
    for path in files:
        parsed = canvas_name(path.name)
        if parsed is None:  # set aside with a note; the rest of the class is graded
            set_aside.append(f"{_shown(path.name)}: not a Canvas submission file name "
                             "(name_userid_attachmentid_file): the student cannot be identified")
            continue
        uid = parsed.user_id
        student = students.setdefault(uid, Student(key=f"{_safe_key(parsed.name or 'student')}_{uid}",
                                                   name=parsed.name, lms_id=uid, folder=folder))
        student.late |= parsed.late
        if not student.lms_prefix or int(parsed.attachment_id) > int(student.lms_prefix.rsplit("_", 1)[1]):
            student.lms_prefix = parsed.prefix  # the newest attachment: one of the submission's current files
        student.files.append(path)
    return Export(CANVAS, folder, sorted(students.values(), key=lambda s: s.key), unplaced, set_aside)


def _moodle(folder: Path, files: list[Path], dirs: list[Path]) -> Export:
    students: dict[str, Student] = {}
    unplaced = [_shown(p.name) for p in files]
    for d in dirs:
        match = _MOODLE_DIR.match(d.name)
        if match is None:
            unplaced.append(_shown(d.name) + "/")
            continue
        participant = match["id"]
        student = students.setdefault(participant, Student(
            key=f"{_safe_key(match['name'])}_{participant}", name=match["name"], lms_id=participant, folder=folder))
        student.files += files_under(d)
    return Export(MOODLE, folder, sorted(students.values(), key=lambda s: s.key), unplaced)


def _github(folder: Path, files: list[Path], dirs: list[Path]) -> Export | None:
    """A folder of student repositories (most of them git checkouts), named `assignment-login`."""
    if not dirs:
        return None
    if sum((d / ".git").exists() for d in dirs) * 2 <= len(dirs):
        return None
    prefix = os.path.commonprefix([d.name for d in dirs]) if len(dirs) > 1 else ""
    prefix = prefix[:prefix.rfind("-") + 1] if "-" in prefix else ""
    students = []
    for d in dirs:
        login = d.name[len(prefix):] if prefix and d.name != prefix else d.name
        students.append(Student(key=_unique_key(login), name=login, login=login, lms_id=login,
                                files=files_under(d), folder=d))
    return Export(GITHUB, folder, students, [_shown(p.name) for p in files])


def _exercise_file_name(name: str, export_format: str) -> tuple[str, int]:
    """The name a file was handed in as (Canvas's prefix and resubmission suffix removed), and which
    resubmission it is: Canvas names the N-th resubmission `softmax-N.py`, the first hand-in 0."""
    if export_format == CANVAS:
        parsed = canvas_name(name)
        if parsed:
            name = parsed.file
        resub = _RESUBMITTED.match(name)
        if resub:
            return resub["stem"] + resub["suffix"], int(resub["number"])
    return name, 0


@dataclasses.dataclass
class Placement:
    """What one student's files became: graded files per exercise, and notes for the feedback."""

    student: Student
    placed: dict[str, str]  # exercise id -> the file it was taken from (as handed in)
    notes: list[str]
    unplaced: list[str]
    explained: dict[str, str] = dataclasses.field(default_factory=dict)  # unplaced name -> "did you mean"

    def unplaced_lines(self) -> list[str]:
        """One line per file not graded: why, with "did you mean" where the name is close to an exercise's."""
        return [self.explained.get(name, f"`{name}` was not graded: no exercise of this course")
                for name in self.unplaced]


def _handed_in_path(path: Path, student: Student, export_format: str) -> str:
    """The path of a file as the student handed it in: no LMS prefix, no LMS folder (`hw1/Softmax.py`)."""
    if export_format == CANVAS or student.folder is None:
        return _exercise_file_name(path.name, export_format)[0]
    try:
        parts = path.relative_to(student.folder).parts
    except ValueError:
        return path.name
    if export_format == MOODLE and parts and _MOODLE_DIR.match(parts[0]):
        parts = parts[1:]
    return "/".join(parts) or path.name


def _placed_note(exercise, handed: str) -> str | None:
    """A note for a file graded under the exercise's name though handed in otherwise (case, subfolder)."""
    name = handed.rsplit("/", 1)[-1]
    why = (["its name differs only in case"] if name != exercise.filename else []) + (
        [f"it is in the subfolder {handed.rsplit('/', 1)[0]}/"] if "/" in handed else [])
    if not why:
        return None
    return (f"{exercise.id}: `{handed}` was graded as `{exercise.filename}` ({' and '.join(why)}); next time "
            f"hand it in as `{exercise.filename}` at the top of your submission")


def build_roster(export: Export, course: Course, dest: Path) -> list[Placement]:
    """Write one folder per student under `dest` with `<exercise>.py` files the batch grader reads.

    A `.py` named after an exercise wins; otherwise a notebook named after it, otherwise any notebook
    that defines the exercise's functions (the functions are read statically; no cell runs). The
    identities are kept by the caller (`identities_document`)."""
    from d2lcoach.instructor.batch.roster import did_you_mean
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    by_id = {e.id.lower(): e for e in course.exercises}
    placements = []
    owners: dict[str, Student] = {}
    for student in export.students:
        owner = owners.setdefault(student.key, student)
        if owner is not student:  # reported, never renamed: a row must not pass to another student
            export.set_aside.append(f"{_shown(student.name)}: not graded: its roster key "
                                    f"{student.key} is {_shown(owner.name)}'s too")
            continue
        folder = dest / student.key
        folder.mkdir()
        by_name: dict[str, Path] = {}
        versions: dict[str, list[tuple[int, Path]]] = {}
        for path in student.files:
            name, version = _exercise_file_name(path.name, export.format)
            versions.setdefault(name.lower(), []).append((version, path))
        superseded: dict[Path, Path] = {}  # an older hand-in -> the newest resubmission, graded instead
        for name, handed in versions.items():
            last, newest = max(handed, key=lambda vp: vp[0])  # the first of equals, as listed
            by_name[name] = newest
            superseded.update({path: newest for version, path in handed if version < last})
        placed, notes = {}, []
        taken: set[Path] = set(superseded)
        notebooks = [p for p in student.files if p.suffix.lower() == NOTEBOOK_SUFFIX and p not in superseded]
        for exercise in course.exercises:
            source = None
            py = by_name.get(exercise.filename.lower())
            ipynb = by_name.get(f"{exercise.id}{NOTEBOOK_SUFFIX}".lower())
            if py is not None:
                taken.add(py)
                try:
                    source = read_bytes(py, within=student.folder)
                    placed[exercise.id] = py.name
                    if py in superseded.values():
                        notes.append(f"{exercise.id}: graded from your newest resubmission, {py.name}")
                    elif (note := _placed_note(exercise, _handed_in_path(py, student, export.format))):
                        notes.append(note)
                except UsageError as exc:  # a link, a FIFO, too large: this student's note, nobody else's
                    notes.append(f"{exercise.id}: not graded: {_reason(exc, py)}")
            else:
                for candidate in ([ipynb] if ipynb else []) + [p for p in notebooks if p != ipynb]:
                    try:
                        extracted = extract_file(candidate, exercise.functions, student.folder)
                    except RefusedFile as exc:
                        if candidate == ipynb:
                            taken.add(candidate)
                            notes.append(f"{exercise.id}: not graded: {_reason(exc, candidate)}")
                            break
                        continue
                    except UsageError:
                        continue
                    source = extracted.source.encode("utf-8")
                    taken.add(candidate)
                    placed[exercise.id] = candidate.name
                    notes.append(f"{exercise.id}: graded from the notebook {candidate.name} (cells "
                                 f"{', '.join(map(str, extracted.cells))})")
                    break
            if source is not None:
                (folder / exercise.filename).write_bytes(source)
        notes += [f"{old.name} not graded: an older hand-in, resubmitted as {newest.name}"
                  for old, newest in superseded.items()]
        unplaced, explained = [], {}
        for path in student.files:
            if path in taken:
                continue
            unplaced.append(_shown(path.name))
            handed = _exercise_file_name(path.name, export.format)[0]
            close = did_you_mean(student.key, unplaced[-1], handed, by_id, placed)  # named as in the download
            if close is not None:
                explained[unplaced[-1]] = close.text
        placements.append(Placement(student, placed, [_shown(n) for n in notes], unplaced, explained))
    return placements


def identities_document(export: Export, placements: list[Placement]) -> dict:
    """Who each roster folder is in the LMS, and what was graded from which file (students.json)."""
    return {"format": export.format,
            "students": {p.student.key: {**p.student.identity(), "files": p.placed, "notes": p.notes,
                                         "unplaced": p.unplaced} for p in placements},
            "unplaced": export.unplaced, "set_aside": export.set_aside}


def _reason(exc: UsageError, path: Path) -> str:
    """A refusal as one line about the file as handed in (`softmax.py is a symbolic link: ...`)."""
    text = str(exc)
    text = text[len(f"{path}: "):] if text.startswith(f"{path}: ") else text
    return text if text.startswith(path.name) else f"{path.name} {text}"


def needs_conversion(export: Export) -> bool:
    """A roster folder is graded where it is (notebooks included); an LMS export goes through `build_roster`."""
    return export.format != ROSTER


@dataclasses.dataclass
class Prepared:
    """A roster ready for `grade_roster`: the export as found, and the folder to grade."""

    roster: Path
    export: Export
    placements: list[Placement] | None  # None: a plain roster graded where it is


def prepare_roster(path: Path, course: Course, scratch: Path) -> Prepared:
    """Recognise `path` (roster folder or LMS export, folder or zip) and make a roster of it under `scratch`."""
    export = read_export(path, scratch)
    if not needs_conversion(export) and Path(path).is_dir():
        return Prepared(Path(path), export, None)
    if not export.students:
        raise UsageError(f"{path}: a {export.format} export without any student submission")
    roster = scratch / "roster"
    return Prepared(roster, export, build_roster(export, course, roster))
