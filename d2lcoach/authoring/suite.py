"""An exercise's trust suite: where its files live, the verdict each one expects, and whether a grade meets it.

The trust suite of exercise <id> is `tests/submissions/<id>/*.py` under the folder of the manifest
that defines the exercise: the repository for the built-in course, the extension's own folder for
an exercise a course extension adds or overrides. Each file's docstring ends with its expectation:
    expect: pass
    expect: fail <check>[; <check> ...]      the submission fails, and each named check fails
                                             (a comma outside parentheses also separates)
    expect: error <text>                     the submission cannot be graded; the cause contains <text>
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from d2lcoach.course import Exercise
from d2lcoach.errors import UsageError
from d2lcoach.results import CheckResult


@dataclasses.dataclass(frozen=True)
class Expectation:
    verb: str  # "pass", "fail" or "error"
    details: tuple[str, ...] = ()  # the checks that must fail, or the text the error must contain

    def __str__(self) -> str:
        return f"{self.verb} {'; '.join(self.details)}".strip()


def suite_folder(exercise: Exercise) -> Path:
    return exercise.root / "tests" / "submissions" / exercise.id


def suite_files(exercise: Exercise) -> list[Path]:
    folder = suite_folder(exercise)
    return sorted(folder.glob("*.py")) if folder.is_dir() else []


def parse_expectation(text: str) -> Expectation | None:
    """The `expect:` line of a submission's docstring, or None when it has none."""
    doc = ast.get_docstring(ast.parse(text)) or ""
    for line in doc.splitlines():
        line = line.strip()
        if line.startswith("expect:"):
            verb, _, rest = line[len("expect:"):].strip().partition(" ")
            if verb == "pass":
                return Expectation("pass")
            if verb == "fail":
                return Expectation("fail", tuple(c.strip() for c in re.split(r";|,(?![^(]*\))", rest) if c.strip()))
            if verb == "error":
                return Expectation("error", (rest.strip(),))
    return None


def expectation_of(path: Path) -> Expectation:
    """The expectation of one trust-suite file; a file without one (or unreadable) is bad input."""
    try:
        found = parse_expectation(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read its expectation: {type(exc).__name__}: {exc}".splitlines()[0]) from None
    if found is None:
        raise UsageError(f"{path}: no 'expect:' line (pass, fail <checks> or error <text>) in its docstring")
    return found


def mismatch(expect: Expectation, result: CheckResult) -> str | None:
    """None when `result` is the verdict `expect` asks for; otherwise what came instead, in one line."""
    failing = [c.name for c in result.failures()]
    got = (f"error: {result.error}" if result.error else
           "passed" if result.passed else f"failed {', '.join(dict.fromkeys(failing))}")
    if expect.verb == "pass":
        return None if result.passed else got
    if expect.verb == "fail":
        missing = [c for c in expect.details if c not in failing]
        if result.passed or missing:
            return got + (f", not {', '.join(missing)}" if missing and not result.passed else "")
        return None
    if result.error is not None and expect.details[0] in result.error:
        return None
    return got
