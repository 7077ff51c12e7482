"""The recorded equivalent mutants of an exercise: `graders/<id>.equivalents.yaml`, next to its grader.

    version: 1
    equivalents:
      - mutant: "drop keyword: order = torch.argsort(scores, descending=True, stable=True) -> ..."
        reason: "the contract guarantees distinct scores, so a stable sort changes nothing"

`mutant` is the key `dev check` prints for a survivor; `reason` is one line a reader can check.
A missing file means no equivalents; a broken one is bad input.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from d2lcoach.course import Exercise
from d2lcoach.errors import UsageError


def equivalents_path(exercise: Exercise) -> Path:
    return exercise.grader_path.with_name(f"{exercise.id}.equivalents.yaml")


def load_equivalents(exercise: Exercise) -> dict[str, str]:
    """{mutant key: reason}; raises UsageError (one line naming the file) when the file is broken."""
    path = equivalents_path(exercise)
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UsageError(f"{path}: not valid YAML" + (f" at line {mark.line + 1}" if mark else "")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("equivalents"), list):
        raise UsageError(f"{path}: must be a mapping with 'version: 1' and a list 'equivalents'")
    found: dict[str, str] = {}
    for i, entry in enumerate(data["equivalents"]):
        where = f"{path}: entry #{i + 1}"
        if not isinstance(entry, dict) or set(entry) != {"mutant", "reason"}:
            raise UsageError(f"{where} must have exactly the keys 'mutant' and 'reason'")
        mutant, reason = entry["mutant"], entry["reason"]
        if not isinstance(mutant, str) or not mutant.strip():
            raise UsageError(f"{where}: 'mutant' must be the key dev check printed")
        if not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip():
            raise UsageError(f"{where}: 'reason' must be one non-empty line")
        if mutant in found:
            raise UsageError(f"{where}: mutant {mutant!r} is recorded twice")
        found[mutant] = reason.strip()
    return found
