"""Gradescope: the autograder bundle (`gradescope build`) and the run inside Gradescope's container.

The bundle (autograder.zip) holds `setup.sh` (Python venv, d2lcoach with its pins, bubblewrap),
`run_autograder` (grades /autograder/submission into /autograder/results/results.json) and the
d2lcoach source with its course. `run` grades every selected exercise found in the submission
(`softmax.py`, `softmax.ipynb`, any notebook that defines the functions, any case, in subfolders)
and writes Gradescope's results schema: one test per property of the contract with its weighted share of
the exercise's points, and the top-level score equal to what `d2lcoach check` and `grade` give and to
the sum of the tests.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.learner.files import files_under
from d2lcoach.instructor.lms import ROSTER, Export, Student, build_roster
from d2lcoach.results import GATES, CheckResult

VISIBILITY = ("visible", "hidden", "after_due_date", "after_published")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source/d2lcoach-src
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
set -euo pipefail
root="${{AUTOGRADER_ROOT:-/autograder}}"
python="${{D2LCOACH_PYTHON:-$root/venv/bin/python}}"
mkdir -p "$root/results"
exec "$python" -m d2lcoach gradescope run --submission "$root/submission" \\
    --results "$root/results/results.json" --visibility {visibility} {exercises}
"""

_SOURCE_PARTS = ("pyproject.toml", "README.md", "course.yaml", "d2lcoach", "exercises", "solutions", "graders")
#: Folders with one file (or a few: `<id>.equivalents.yaml`, `<id>.proof.yaml`) per exercise.
_PER_EXERCISE = ("exercises", "solutions", "graders")


def build_bundle(out: Path, course: Course, exercise_ids: list[str] | None, visibility: str = "visible") -> Path:
    """Write autograder.zip: setup.sh, run_autograder and the d2lcoach source with the chosen exercises only
    (their stubs, references and graders, and the manifest cut down to them): nothing of the others."""
    if visibility not in VISIBILITY:
        raise UsageError(f"unknown visibility {visibility!r}; choose one of: {', '.join(VISIBILITY)}")
    selected = [course.get(i).id for i in exercise_ids] if exercise_ids else course.ids
    root = Path(course.source).parent
    missing = [p for p in _SOURCE_PARTS if not (root / p).exists()]
    if missing:
        raise UsageError(f"{root}: `gradescope build` needs a source checkout of d2lcoach with its course "
                         f"(missing: {', '.join(missing)})")
    out = Path(out)
    if out.is_dir():
        raise UsageError(f"{out}: is a folder; give the path of the .zip to write")
    exercises = " ".join(f"--exercise {i}" for i in selected)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
            _add_text(bundle, "setup.sh", SETUP_SH)
            _add_text(bundle, "run_autograder", RUN_AUTOGRADER.format(visibility=visibility, exercises=exercises))
            _add_text(bundle, "d2lcoach-src/course.yaml", _manifest_of(root / "course.yaml", selected), mode=0o644)
            for part in _SOURCE_PARTS:
                path = root / part
                files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
                for file in files:
                    rel = file.relative_to(root)
                    if "__pycache__" in rel.parts or file.suffix == ".pyc" or rel.parts[:2] == ("d2lcoach", "_course"):
                        continue
                    if part == "course.yaml" or (part in _PER_EXERCISE and file.name.split(".")[0] not in selected):
                        continue  # only the chosen exercises' stubs, references and graders travel
                    bundle.write(file, f"d2lcoach-src/{rel.as_posix()}")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the bundle: {exc.strerror or exc}") from None
    return out


def _manifest_of(source: Path, selected: list[str]) -> str:
    """The course manifest cut down to the chosen exercises and their chapters, in the course's order."""
    import yaml
    manifest = yaml.safe_load(source.read_text(encoding="utf-8"))
    manifest["exercises"] = [e for e in manifest["exercises"] if e["id"] in selected]
    used = {e["chapter"] for e in manifest["exercises"]}
    manifest["chapters"] = [c for c in manifest["chapters"] if c["number"] in used]
    return ("# The course manifest of this Gradescope bundle: only the exercises it grades.\n"
            + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=110))


def _add_text(bundle: zipfile.ZipFile, name: str, text: str, mode: int = 0o755):
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o100000 | mode) << 16  # setup.sh and run_autograder executable, as Gradescope runs them
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, text)


@dataclasses.dataclass
class GradescopeRun:
    results: dict
    path: Path


def check_tests(exercise: Exercise, result: CheckResult | None, visibility: str, where: str,
                refused: str = "") -> list[dict]:
    """One Gradescope test per property of the contract (counted once, whatever the devices), worth
    its weighted share of the exercise's points, as `check` counts them (d2lcoach/grading/scoring.py):
    the tests add up to the exercise's score. Gates are tests worth nothing.

    refused: why the file handed in for the exercise was not read (a link, a FIFO, too large)."""
    points = exercise.points
    if result is None:
        return [{"name": f"{exercise.id}: handed in", "score": 0.0, "max_score": points, "status": "failed",
                 "output": refused or f"No {exercise.filename} (or notebook defining "
                                      f"{', '.join(exercise.functions)}) was found in the submission.",
                 "visibility": visibility}]
    if result.error:
        return [{"name": f"{exercise.id}: runs", "score": 0.0, "max_score": points, "status": "failed",
                 "output": result.error, "visibility": visibility}]
    tests = []
    total_weight = sum(p.weight for p in result.properties)
    zeroed = result.score == 0.0
    gates: dict[str, list] = {}
    for check in result.checks:
        if check.name in GATES:  # gates earn nothing; failing one zeroes the exercise
            gates.setdefault(check.name, []).append(check)
    for name, runs in gates.items():
        failed = [c for c in runs if not c.passed]
        tests.append({"name": f"{exercise.id}: {name}", "score": 0.0, "max_score": 0.0,
                      "status": "failed" if failed else "passed",
                      "output": "\n".join(c.message or "failed" for c in failed) or "passed",
                      "visibility": visibility})
    for prop in result.properties:
        worth = points * prop.weight / total_weight if total_weight > 0 else 0.0
        earned = 0.0 if zeroed or total_weight <= 0 else points * prop.earned / total_weight
        runs = [c for c in result.checks if c.name == prop.name]
        lines = [f"{c.device}: {c.message or ('passed' if c.passed else 'failed')}"
                 for c in runs if not c.passed]
        if prop.note:
            lines.append(prop.note)
        if zeroed and prop.earned:
            lines.append("a failed gate zeroes the exercise")
        full = prop.met and prop.earned >= prop.weight and not zeroed
        tests.append({"name": f"{exercise.id}: {prop.name}", "score": round(earned, 4),
                      "max_score": round(worth, 4), "status": "passed" if full else "failed",
                      "output": "\n".join(lines) or ("passed" if prop.met else "failed"),
                      "visibility": visibility})
    if total_weight <= 0:  # a gate stopped the run before any property was checked
        tests.append({"name": f"{exercise.id}: behaviour", "score": 0.0, "max_score": points, "status": "failed",
                      "output": "not checked: a gate failed", "visibility": visibility})
    _settle(tests, points * result.score, "score")
    _settle(tests, points, "max_score")
    if where:
        tests[0]["output"] = f"graded from {where}\n" + tests[0]["output"]
    return tests


def _settle(tests: list[dict], total: float, key: str):
    """Make the tests' rounded `key` add up to `total` (rounded alike) by moving the rounding residue
    onto the largest of them, so Gradescope's sum of the tests is the exercise's score."""
    residue = round(round(total, 4) - sum(t[key] for t in tests), 4)
    if residue and tests:
        largest = max(tests, key=lambda t: t[key])
        largest[key] = round(largest[key] + residue, 4)


def run(submission: Path, results: Path, course: Course, exercise_ids: list[str] | None,
        visibility: str = "visible", seed: int | None = None) -> GradescopeRun:
    """Grade a Gradescope submission folder and write results.json in Gradescope's schema."""
    from d2lcoach.grading.engine import grade_source, new_seed, resolve_devices
    from d2lcoach.sandbox import Sandbox
    started = time.perf_counter()
    submission = Path(submission)
    if not submission.is_dir():
        raise UsageError(f"{submission}: the submission folder does not exist")
    if visibility not in VISIBILITY:
        raise UsageError(f"unknown visibility {visibility!r}; choose one of: {', '.join(VISIBILITY)}")
    selected = [course.get(i) for i in exercise_ids] if exercise_ids else list(course.exercises)
    seed = new_seed() if seed is None else seed
    # Links (to the reference solution, to /dev/zero) are listed, and refused when read, with a note.
    student = Student(key="submission", name="submission", files=sorted(files_under(submission)),
                      folder=submission)
    tests, total, output = [], 0.0, []
    with tempfile.TemporaryDirectory(prefix="d2lcoach-gradescope-") as scratch:
        [placement] = build_roster(Export(ROSTER, submission, [student], []), course, Path(scratch) / "roster")
        folder = Path(scratch) / "roster" / placement.student.key
        devices = resolve_devices("all")
        with Sandbox(hidden=[submission]) as box:
            for exercise in selected:
                path = folder / exercise.filename
                result = None
                if path.exists():
                    result = grade_source(exercise, path.read_text(encoding="utf-8"),
                                          placement.placed[exercise.id], sandbox=box, devices=devices, seed=seed)
                    total += round(exercise.points * result.score, 4)  # as the tests add up
                refused = [n for n in placement.notes if n.startswith(f"{exercise.id}: not graded: ")]
                tests += check_tests(exercise, result, visibility, placement.placed.get(exercise.id, ""),
                                     refused[0] if refused else "")
        output += placement.notes
        if placement.unplaced:
            output.append("Files not graded: " + "; ".join(placement.unplaced_lines()))
    output.append(f"Graded by d2lcoach with seed {seed}; reproduce with `d2lcoach check EXERCISE --seed {seed}`.")
    document = {"score": round(total, 4), "execution_time": round(time.perf_counter() - started, 3),
                "output": "\n".join(output), "visibility": visibility, "stdout_visibility": "hidden",
                "tests": tests}
    try:
        results.parent.mkdir(parents=True, exist_ok=True)
        tmp = results.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, results)
    except OSError as exc:
        raise UsageError(f"{results}: cannot write: {exc.strerror or exc}") from None
    return GradescopeRun(document, results)


def unpack_bundle(bundle: Path, root: Path) -> Path:
    """Unpack autograder.zip as Gradescope does, into `root`/source (for tests and dry runs)."""
    source = root / "source"
    shutil.rmtree(source, ignore_errors=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(source)
    for name in ("setup.sh", "run_autograder"):
        (source / name).chmod(0o755)
    return source
