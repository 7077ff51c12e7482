"""Proof records: what `dev check` proved of a grader, bound to a digest of everything the proof read.

`graders/<id>.proof.yaml`, beside the grader, written (whole and atomically) when an exercise's full
proof is green:

    # Managed by `d2lcoach dev check`: do not edit. ...
    version: 1
    exercise: softmax
    digest: sha256:...        # of every input in PROOF_INPUTS, below
    seeds: 3                  # the stub, the reference and the trust suite: seeds 0 .. seeds-1
    mutant_seeds: [0, 1]
    mutants: 84
    killed: 80
    equivalent: 4
    trust_files: 12
    devices: [cpu, meta]
    date: 2026-12-07

A record is fresh when its digest is the tree's and it proved at least the seeds asked for; anything
else (no record, a broken one, another digest) is stale, and the exercise must be proved again.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import sys
from pathlib import Path

import yaml

from d2lcoach.course import Exercise
from d2lcoach.authoring.equivalents import equivalents_path
from d2lcoach.authoring.suite import suite_files

VERSION = 1
#: The seeds CI holds every record to (the stub, the reference and the trust suite on seeds 0, 1, 2);
#: `dev check --stale` asks the same unless given --seeds. A record of more seeds is fresh for fewer.
CI_SEEDS = 3
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the d2lcoach package

#: Every input a proof's verdict depends on, named once. Per exercise: its files and its manifest entry.
#: For the whole course: the code that grading runs through (package-relative folders and modules),
#: the torch version and Python's (mutants are written by `ast.unparse`). A test checks that every
#: d2lcoach module that grading imports is covered here.
EXERCISE_INPUTS = ("grader", "reference", "stub", "trust suite", "equivalents", "manifest entry")
ENGINE_INPUTS = ("grading", "sandbox", "authoring", "course.py", "errormap.py", "errors.py",
                 "results.py", "text.py")
#: Files under ENGINE_INPUTS that cannot change a verdict: this module only reads and writes records.
NOT_INPUTS = ("authoring/proof.py",)
#: Manifest fields that are documentation, not grading: editing a hint or a title proves nothing anew.
DOCUMENTATION_FIELDS = ("title", "section", "link", "hints", "chapter", "root")


def proof_path(exercise: Exercise) -> Path:
    return exercise.grader_path.with_name(f"{exercise.id}.proof.yaml")


def engine_files(package_root: Path = PACKAGE_ROOT) -> list[Path]:
    """The course-wide code inputs, sorted: every .py under ENGINE_INPUTS but NOT_INPUTS."""
    found = []
    for name in ENGINE_INPUTS:
        path = package_root / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    skipped = {package_root / name for name in NOT_INPUTS}
    return sorted(p for p in found if p not in skipped)


def manifest_entry(exercise: Exercise) -> str:
    """The exercise's manifest fields that can change a verdict, as canonical JSON."""
    fields = {f.name: getattr(exercise, f.name) for f in dataclasses.fields(exercise)
              if f.name not in DOCUMENTATION_FIELDS}
    return json.dumps({k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for k, v in fields.items()},
                      sort_keys=True, default=str)


def exercise_files(exercise: Exercise) -> list[tuple[str, Path]]:
    """(label, path) of the exercise's own file inputs; a missing optional file counts as empty."""
    files = [("grader", exercise.grader_path), ("reference", exercise.solution_path), ("stub", exercise.stub_path),
             ("equivalents", equivalents_path(exercise))]
    return files + [(f"trust suite/{path.name}", path) for path in suite_files(exercise)]


def _versions() -> str:
    import torch
    return f"torch {torch.__version__}; python {sys.version_info[0]}.{sys.version_info[1]}"


def digest(exercise: Exercise, *, package_root: Path = PACKAGE_ROOT, versions: str | None = None) -> str:
    """sha256 over every input of the exercise's proof, each named, in a fixed order."""
    h = hashlib.sha256()

    def add(label: str, data: bytes):
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    for label, path in exercise_files(exercise):
        add(label, path.read_bytes() if path.is_file() else b"")
    add("manifest entry", manifest_entry(exercise).encode())
    for path in engine_files(package_root):
        add(f"engine/{path.relative_to(package_root).as_posix()}", path.read_bytes())
    add("versions", (versions if versions is not None else _versions()).encode())
    return "sha256:" + h.hexdigest()


@dataclasses.dataclass
class ProofRecord:
    exercise: str
    digest: str
    seeds: int
    mutant_seeds: list[int]
    mutants: int
    killed: int
    equivalent: int
    trust_files: int
    devices: list[str]
    date: str


def read_record(exercise: Exercise) -> ProofRecord | None:
    """The exercise's record, or None when there is none or it cannot be read as one (then it is stale)."""
    try:
        data = yaml.safe_load(proof_path(exercise).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        fields = {f.name: data[f.name] for f in dataclasses.fields(ProofRecord)}
        return ProofRecord(**fields)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError):
        return None


def is_fresh(exercise: Exercise, *, seeds: int, current: str | None = None) -> bool:
    """Whether the exercise has a record of a green proof of today's inputs on at least `seeds` seeds."""
    record = read_record(exercise)
    return (record is not None and record.exercise == exercise.id and isinstance(record.seeds, int)
            and record.seeds >= seeds and record.digest == (current or digest(exercise)))


def write_record(exercise: Exercise, record: ProofRecord):
    """Write the record whole and atomically, beside the grader."""
    from d2lcoach.learner.progress import write_atomically  # here: no input of a verdict, so not at import time
    path = proof_path(exercise)
    body = yaml.safe_dump({"version": VERSION, **dataclasses.asdict(record)}, sort_keys=False,
                          default_flow_style=None)
    text = ("# Managed by `d2lcoach dev check`: do not edit. The proof of this grader, bound to the digest\n"
            "# of every input it read (d2lcoach/authoring/proof.py names them); `dev check --stale` renews it.\n"
            + body)
    write_atomically(path, text)


def today() -> str:
    return datetime.date.today().isoformat()
