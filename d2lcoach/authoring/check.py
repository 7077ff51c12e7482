"""`dev check`: prove a grader. Its stub fails, its reference passes on every seed, its trust suite gets
its verdicts on every seed, and every mutant of its reference is killed or recorded as equivalent."""

from __future__ import annotations

import ast
import dataclasses
import shlex
import time
from pathlib import Path
from typing import Callable

from d2lcoach.course import BUILTIN_ROOT, Course, Exercise
from d2lcoach.authoring.equivalents import equivalents_path, load_equivalents
from d2lcoach.authoring.mutate import mutants as make_mutants
from d2lcoach.authoring.pool import GradingPool, Job
from d2lcoach.authoring.proof import ProofRecord, digest, is_fresh, proof_path, today, write_record
from d2lcoach.authoring.suite import Expectation, expectation_of, mismatch, suite_files
from d2lcoach.errors import UsageError
from d2lcoach.grading import engine
from d2lcoach.results import CheckResult
from d2lcoach.sandbox import Limits

DEFAULT_SEEDS = 20
MUTANT_SEEDS = 2  # each mutant is graded under two seeds (the sweep's first two), whatever --seeds is


@dataclasses.dataclass
class SeedFailure:
    """A seed on which a file did not get the verdict it should, and how to see it again."""

    seed: int
    got: str
    command: str


@dataclasses.dataclass
class TrustFile:
    path: str
    expect: str
    failures: list[SeedFailure]  # empty: the expected verdict on every seed


@dataclasses.dataclass
class Survivor:
    key: str
    operator: str
    diff: str
    seeds: list[int]  # the seeds on which the grader passed this mutant


@dataclasses.dataclass
class ExerciseCheck:
    id: str
    problems: list[str] = dataclasses.field(default_factory=list)  # manifest, grader or reference load errors
    stub: list[SeedFailure] = dataclasses.field(default_factory=list)  # seeds on which the stub passed
    reference: list[SeedFailure] = dataclasses.field(default_factory=list)  # seeds on which it failed
    trust: list[TrustFile] = dataclasses.field(default_factory=list)
    mutants_checked: bool = False
    mutants: int = 0
    killed: int = 0
    equivalent: int = 0
    survivors: list[Survivor] = dataclasses.field(default_factory=list)
    stale: list[str] = dataclasses.field(default_factory=list)  # recorded equivalents that are killed or gone
    equivalents_file: str = ""
    record: str = ""  # the proof record written for this row ("" when none was)
    seconds: float = 0.0

    @property
    def trust_flips(self) -> list[TrustFile]:
        return [t for t in self.trust if t.failures]

    @property
    def ok(self) -> bool:
        return not (self.problems or self.stub or self.reference or self.trust_flips or self.survivors
                    or self.stale)

    @property
    def score(self) -> str:
        """Mutants killed out of those that are not equivalent, e.g. "84/84"."""
        return f"{self.killed}/{self.mutants - self.equivalent}" if self.mutants_checked else "-"

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data.update(ok=self.ok, score=self.score)
        return data


@dataclasses.dataclass
class DevCheckReport:
    seeds: list[int]
    mutant_seeds: list[int]
    isolation: str
    exercises: list[ExerciseCheck]
    fresh: list[str] = dataclasses.field(default_factory=list)  # skipped: their proof records are fresh
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.exercises)

    def to_json(self) -> dict:
        return {"ok": self.ok, "seeds": self.seeds, "mutant_seeds": self.mutant_seeds, "isolation": self.isolation,
                "seconds": round(self.seconds, 1), "exercises": [e.to_json() for e in self.exercises],
                "fresh": self.fresh}


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def reproduce_command(course: Course, exercise: Exercise, path: Path, seed: int) -> str:
    """The `check` command that grades `path` exactly as dev check did on `seed`."""
    words = ["d2lcoach"]
    if exercise.root != BUILTIN_ROOT:
        words += ["--course", _shown_path(course.source)]
    words += ["check", exercise.id, "--seed", str(seed), "--file", _shown_path(path)]
    return shlex.join(words)


def _defines(path: Path, functions: tuple[str, ...]) -> str | None:
    """None when the file parses and defines every function (or class) at top level; else the problem."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return f"{path}: cannot be parsed: {type(exc).__name__}: {exc}".splitlines()[0]
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    missing = [f for f in functions if f not in defined]
    return f"{path}: does not define {', '.join(missing)}" if missing else None


def _manifest_problems(exercise: Exercise, seeds: list[int]) -> list[str]:
    problems = [p for p in (_defines(exercise.stub_path, exercise.functions),
                            _defines(exercise.solution_path, exercise.functions)) if p]
    if problems:
        return problems
    for seed in seeds:  # builds the cases and reference answers that the grading threads then share
        try:
            engine.prepare(exercise, seed)
        except Exception as exc:  # noqa: BLE001 - a broken grader or reference is this row's finding
            return [f"the grader or reference solution fails with seed {seed}: {type(exc).__name__}: {exc}"
                    .splitlines()[0]]
    return []


def _describe(result: CheckResult) -> str:
    if result.error:
        return f"error: {result.error}"
    if result.passed:
        return "passed"
    return "failed " + ", ".join(dict.fromkeys(c.name for c in result.failures()))


class _Plan:
    """What one exercise needs graded, read (and validated) before any grading starts."""

    def __init__(self, exercise: Exercise, mutants: bool):
        self.exercise = exercise
        self.digest = digest(exercise)  # before any grading: a file edited meanwhile makes the record stale
        self.trust: list[tuple[Path, Expectation, str]] = [
            (path, expectation_of(path), path.read_text(encoding="utf-8")) for path in suite_files(exercise)]
        self.equivalents = load_equivalents(exercise) if mutants else {}


def dev_check(course: Course, exercise_ids: list[str] | None = None, *, seeds: int = DEFAULT_SEEDS,
              mutants: bool = True, jobs: int = 2, devices: list[str] | None = None, first_seed: int = 0,
              stale_only: bool = False, record: bool = False,
              progress: Callable[[str], None] | None = None) -> DevCheckReport:
    """Check the graders of `exercise_ids` (default: the whole course). Raises UsageError for bad input
    (an unknown exercise, a trust-suite file without an expectation, a broken equivalents file).

    `stale_only`: skip the exercises whose proof record is fresh for `seeds` seeds (listed in the
    report's `fresh`). `record`: write the proof record of every exercise whose full proof (mutants
    included, from seed 0) is green."""
    start = time.perf_counter()
    if seeds < 1:
        raise UsageError("--seeds must be at least 1")
    selected = [course.get(i) for i in dict.fromkeys(exercise_ids)] if exercise_ids else list(course.exercises)
    plans = [_Plan(exercise, mutants) for exercise in selected]
    fresh = [p.exercise.id for p in plans if stale_only and is_fresh(p.exercise, seeds=seeds, current=p.digest)]
    plans = [p for p in plans if p.exercise.id not in fresh]
    seed_list = list(range(first_seed, first_seed + seeds))
    mutant_seeds = list(range(first_seed, first_seed + MUTANT_SEEDS))
    devices = devices or engine.resolve_devices("all")
    hidden = sorted({e.root for e in selected if e.root != BUILTIN_ROOT})
    report = DevCheckReport(seeds=seed_list, mutant_seeds=mutant_seeds, isolation="", exercises=[], fresh=fresh)
    with GradingPool(jobs, devices, hidden=hidden) as pool:
        for plan in plans:
            if progress:
                progress(plan.exercise.id)
            row = _check_exercise(course, plan, pool, seed_list, mutant_seeds, mutants)
            if record and mutants and first_seed == 0 and row.ok:
                _record(row, plan, seeds, mutant_seeds, devices)
            report.exercises.append(row)
    from d2lcoach.sandbox import available_level
    report.isolation = available_level()
    report.seconds = time.perf_counter() - start
    return report


def _record(row: ExerciseCheck, plan: _Plan, seeds: int, mutant_seeds: list[int], devices: list[str]):
    try:
        write_record(plan.exercise, ProofRecord(
            exercise=row.id, digest=plan.digest, seeds=seeds, mutant_seeds=mutant_seeds, mutants=row.mutants,
            killed=row.killed, equivalent=row.equivalent, trust_files=len(row.trust), devices=list(devices),
            date=today()))
    except OSError as exc:
        row.problems.append(f"cannot write the proof record {proof_path(plan.exercise)}: {exc}")
        return
    row.record = _shown_path(proof_path(plan.exercise))


def _check_exercise(course: Course, plan: _Plan, pool: GradingPool, seeds: list[int], mutant_seeds: list[int],
                    mutants: bool) -> ExerciseCheck:
    start = time.perf_counter()
    exercise = plan.exercise
    row = ExerciseCheck(id=exercise.id)
    row.problems = _manifest_problems(exercise, seeds)
    if row.problems:
        row.seconds = time.perf_counter() - start
        return row
    files = [(exercise.stub_path, Expectation("fail"), exercise.stub_path.read_text(encoding="utf-8")),
             (exercise.solution_path, Expectation("pass"), exercise.solution_path.read_text(encoding="utf-8")),
             *plan.trust]
    jobs = [Job(exercise, source, exercise.filename if i < 2 else path.name, seed)
            for i, (path, _, source) in enumerate(files) for seed in seeds]
    results = pool.grade(jobs)
    reference_seconds = 0.0
    for i, (path, expect, _) in enumerate(files):
        failures = []
        for seed, result in zip(seeds, results[i * len(seeds):(i + 1) * len(seeds)]):
            if i == 1:
                reference_seconds = max(reference_seconds, result.seconds)
            if i == 0:  # the stub: any verdict but a pass
                wrong = "passed" if result.passed else None
            else:
                wrong = mismatch(expect, result)
            if wrong:
                failures.append(SeedFailure(seed, wrong, reproduce_command(course, exercise, path, seed)))
        if i == 0:
            row.stub = failures
        elif i == 1:
            row.reference = failures
        else:
            row.trust.append(TrustFile(_shown_path(path), str(expect), failures))
    if mutants and not row.reference:
        _mutation_analysis(row, plan, pool, mutant_seeds, reference_seconds)
    row.seconds = time.perf_counter() - start
    return row


def _mutation_analysis(row: ExerciseCheck, plan: _Plan, pool: GradingPool, seeds: list[int],
                       reference_seconds: float):
    exercise = plan.exercise
    found = make_mutants(exercise.solution_path.read_text(encoding="utf-8"))
    # A mutant that loops forever is killed by its time limit: no need to wait the whole exercise limit.
    wall = min(exercise.time_limit, max(5.0, 5 * reference_seconds))
    limits = Limits(wall_seconds=wall, cpu_seconds=int(wall) + 5, cuda="cuda" in pool.devices)
    results = pool.grade([Job(exercise, m.source, exercise.filename, seed, limits) for m in found for seed in seeds])
    row.mutants_checked = True
    row.mutants = len(found)
    row.equivalents_file = _shown_path(equivalents_path(exercise))
    survived = set()
    for n, mutant in enumerate(found):
        passed_on = [seed for seed, result in zip(seeds, results[n * len(seeds):(n + 1) * len(seeds)])
                     if result.passed]
        if not passed_on:
            row.killed += 1
        elif mutant.key in plan.equivalents:
            row.equivalent += 1
            survived.add(mutant.key)
        else:
            row.survivors.append(Survivor(mutant.key, mutant.operator, mutant.diff, passed_on))
    row.stale = [key for key in plan.equivalents if key not in survived]
