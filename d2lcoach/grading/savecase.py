"""`check --save-case DIR`: write the inputs of the failing case a learner sees first to a .pt file,
so that the call can be replayed in a REPL, with the lines that load it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from d2lcoach.course import Exercise
from d2lcoach.errors import UsageError
from d2lcoach.grading.engine import prepare
from d2lcoach.results import CheckResult


@dataclasses.dataclass
class SavedCase:
    path: Path
    check: str  # the failing check whose case this is
    snippet: list[str]  # two lines to paste into Python


def save_failing_case(exercise: Exercise, result: CheckResult, directory: Path,
                      submission: Path) -> SavedCase | None:
    """Save the case behind the first failure shown (None when no failing check names a case)."""
    check = next((c for c in result.failures() if c.case is not None), None)
    if check is None or result.seed is None:
        return None
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--save-case: {directory} is a file, not a folder")
    cases, _ = prepare(exercise, result.seed)
    case = cases[check.case]
    path = directory / f"{exercise.id}-seed{result.seed}-case{check.case}.pt"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        torch.save({"exercise": exercise.id, "function": case.function, "args": case.args,
                    "kwargs": case.kwargs, "seed": result.seed, "case": check.case, "call": case.label,
                    "property": case.property, "check": check.name, "device": check.device,
                    "spec": case.spec}, path)
    except OSError as exc:
        raise UsageError(f"--save-case: cannot write {path}: {exc.strerror or exc}") from None
    load = f"import torch; case = torch.load({str(path.resolve())!r})"
    if case.kind == "gan":
        call = "print(case['call']); case['spec']  # the nets, optimisers and batches of the steps"
    else:
        call = (f"import runpy; {case.function} = runpy.run_path({str(Path(submission).resolve())!r})"
                f"[{case.function!r}]; {case.function}(*case['args'], **case['kwargs'])")
    return SavedCase(path, f"{check.name} ({check.device})", [load, call])
