"""The course manifest: one ordered list of exercises that the CLI, the graders and the tests read."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from d2lcoach.errors import UsageError

#: The folder that holds course.yaml, exercises/, solutions/ and graders/ of the built-in course.
BUILTIN_ROOT = Path(__file__).resolve().parent.parent
_PACKAGED_ROOT = Path(__file__).resolve().parent / "_course"
if not (BUILTIN_ROOT / "course.yaml").is_file() and (_PACKAGED_ROOT / "course.yaml").is_file():
    BUILTIN_ROOT = _PACKAGED_ROOT


@dataclasses.dataclass(frozen=True)
class Chapter:
    number: int
    slug: str
    title: str

    @property
    def folder(self) -> str:
        """The workspace folder of this chapter, e.g. `ch04-linear-classification`."""
        return f"ch{self.number:02d}-{self.slug}"


@dataclasses.dataclass(frozen=True)
class Forbidden:
    """Routines an exercise must not call: dotted names and attributes (static), op patterns (run time)."""

    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    ops: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Exercise:
    id: str
    chapter: Chapter
    title: str
    section: str
    link: str
    functions: tuple[str, ...]
    points: float
    time_limit: float
    forbidden: Forbidden
    allowed_imports: tuple[str, ...]
    hints: tuple[str, ...]
    root: Path
    #: How much each property of the contract counts towards the points: (property, weight) pairs,
    #: the manifest's `default_weights` overridden by the exercise's `weights`; "*" is every other property.
    weights: tuple[tuple[str, float], ...] = ()

    def weight(self, prop: str) -> float:
        table = dict(self.weights)
        return table.get(prop, table.get("*", 1.0))

    @property
    def stub_path(self) -> Path:
        return self.root / "exercises" / f"{self.id}.py"

    @property
    def solution_path(self) -> Path:
        return self.root / "solutions" / f"{self.id}.py"

    @property
    def grader_path(self) -> Path:
        return self.root / "graders" / f"{self.id}.py"

    @property
    def filename(self) -> str:
        return f"{self.id}.py"

    @property
    def workspace_relpath(self) -> Path:
        """Where the learner's copy lives inside a workspace."""
        return Path(self.chapter.folder) / self.filename


@dataclasses.dataclass(frozen=True)
class Course:
    title: str
    chapters: tuple[Chapter, ...]
    exercises: tuple[Exercise, ...]
    source: Path
    default_weights: tuple[tuple[str, float], ...] = ()  # the manifest's, before each exercise's own

    def get(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        known = ", ".join(e.id for e in self.exercises)
        raise UsageError(f"unknown exercise {exercise_id!r}; the course has: {known}")

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.exercises]


def _need(mapping: dict, key: str, kind: type | tuple[type, ...], where: str, source: Path):
    if not isinstance(mapping, dict) or key not in mapping:
        raise UsageError(f"{source}: {where} has no {key!r}")
    value = mapping[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise UsageError(f"{source}: {where}: {key!r} must be a {names}, not {type(value).__name__}")
    return value


def _str_list(mapping: dict, key: str, where: str, source: Path, default=()) -> tuple[str, ...]:
    value = mapping.get(key, list(default)) if isinstance(mapping, dict) else list(default)
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{source}: {where}: {key!r} must be a list of strings")
    return tuple(value)


def _weights(mapping: dict, key: str, where: str, source: Path) -> dict[str, float]:
    """A mapping of property names to non-negative numbers (the weights of the points)."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
            for k, v in value.items()):
        raise UsageError(f"{source}: {where}: {key!r} must map property names to numbers >= 0")
    return {k: float(v) for k, v in value.items()}


def load_course(path: Path | None = None, extension: Path | None = None) -> Course:
    """The built-in course (or the manifest at `path`), with an optional extension merged in.

    An extension is a manifest of the same form whose exercises add to the course (new ids, placed
    by chapter) or override it (an id that exists); its chapters may be new or omitted. Paths of
    its stubs, solutions and graders are relative to the extension's own folder.
    """
    base = _load_manifest(Path(path) if path is not None else BUILTIN_ROOT / "course.yaml", {})
    if extension is None:
        return base
    known = {c.number: c for c in base.chapters}
    ext = _load_manifest(Path(extension), known, extension=True, known_weights=dict(base.default_weights))
    exercises = list(base.exercises)
    for exercise in ext.exercises:
        ids = [e.id for e in exercises]
        if exercise.id in ids:
            exercises[ids.index(exercise.id)] = exercise
            continue
        after = [i for i, e in enumerate(exercises) if e.chapter.number <= exercise.chapter.number]
        exercises.insert(after[-1] + 1 if after else 0, exercise)
    chapters = {c.number: c for c in base.chapters}
    chapters.update({c.number: c for c in ext.chapters})
    used = sorted({e.chapter.number for e in exercises})
    return Course(title=ext.title or base.title, chapters=tuple(chapters[n] for n in used),
                  exercises=tuple(exercises), source=ext.source, default_weights=ext.default_weights)


def _load_manifest(source: Path, known_chapters: dict, extension: bool = False,
                   known_weights: dict | None = None) -> Course:
    """Read and validate one manifest; every problem is a one-line UsageError naming the file."""
    if source.is_dir():
        source = source / "course.yaml"
    if not source.is_file():
        raise UsageError(f"{source}: course manifest not found")
    try:
        # libyaml's parser where PyYAML has it: the whole course in 0.05 s instead of 0.35 s
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{source}: not valid YAML{at}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{source}: cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{source}: a course manifest must be a mapping")
    root = source.parent
    chapters = dict(known_chapters)
    raw_chapters = data.get("chapters", []) if extension else _need(data, "chapters", list, "the manifest", source)
    if not isinstance(raw_chapters, list):
        raise UsageError(f"{source}: 'chapters' must be a list")
    for i, raw in enumerate(raw_chapters):
        where = f"chapter #{i + 1}"
        chapter = Chapter(
            number=_need(raw, "number", int, where, source),
            slug=_need(raw, "slug", str, where, source),
            title=_need(raw, "title", str, where, source),
        )
        chapters[chapter.number] = chapter
    default_imports = _str_list(data, "default_allowed_imports", "the manifest", source,
                                default=("torch", "math", "numpy", "typing", "functools",
                                         "itertools", "collections", "dataclasses"))
    default_weights = _weights(data, "default_weights", "the manifest", source) or dict(known_weights or {})
    exercises: list[Exercise] = []
    for i, raw in enumerate(_need(data, "exercises", list, "the manifest", source)):
        where = f"exercise #{i + 1}"
        ex_id = _need(raw, "id", str, where, source)
        where = f"exercise {ex_id!r}"
        if not ex_id.isidentifier():
            raise UsageError(f"{source}: {where}: the id must be a Python identifier")
        if any(e.id == ex_id for e in exercises):
            raise UsageError(f"{source}: {where} appears twice")
        number = _need(raw, "chapter", int, where, source)
        if number not in chapters:
            raise UsageError(f"{source}: {where}: chapter {number} is not listed under chapters")
        forbidden_raw = raw.get("forbidden") or {}
        if not isinstance(forbidden_raw, dict):
            raise UsageError(f"{source}: {where}: 'forbidden' must be a mapping")
        functions = _str_list(raw, "functions", where, source)
        if not functions:
            raise UsageError(f"{source}: {where}: 'functions' must name at least one function")
        hints = _str_list(raw, "hints", where, source)
        if not hints:
            raise UsageError(f"{source}: {where}: 'hints' must hold at least one hint")
        exercise = Exercise(
            id=ex_id,
            chapter=chapters[number],
            title=_need(raw, "title", str, where, source),
            section=str(_need(raw, "section", (str, int, float), where, source)),
            link=str(raw.get("link", "")),
            functions=functions,
            points=float(_need(raw, "points", (int, float), where, source)),
            time_limit=float(_need(raw, "time_limit", (int, float), where, source)),
            forbidden=Forbidden(
                names=_str_list(forbidden_raw, "names", where + " forbidden", source),
                attributes=_str_list(forbidden_raw, "attributes", where + " forbidden", source),
                ops=_str_list(forbidden_raw, "ops", where + " forbidden", source),
                functions=_str_list(forbidden_raw, "functions", where + " forbidden", source),
            ),
            allowed_imports=_str_list(raw, "allowed_imports", where, source, default=default_imports),
            hints=hints,
            root=root,
            weights=tuple(sorted({**default_weights, **_weights(raw, "weights", where, source)}.items())),
        )
        for label, file in (("stub", exercise.stub_path), ("reference solution", exercise.solution_path),
                            ("grader", exercise.grader_path)):
            if not file.is_file():
                raise UsageError(f"{source}: {where}: its {label} {file} does not exist")
        exercises.append(exercise)
    if not exercises:
        raise UsageError(f"{source}: the course has no exercises")
    used = sorted({e.chapter.number for e in exercises} | (set(chapters) - set(known_chapters)))
    return Course(
        title=str(data.get("title", "") or ""),
        chapters=tuple(chapters[n] for n in used),
        exercises=tuple(exercises),
        source=source,
        default_weights=tuple(sorted(default_weights.items())),
    )
