"""The shape of a grade: `CheckResult` (one submission) made of `CheckItem`s (one property on one device).

`check --json`, the batch report and the feedback files all use these, never ad-hoc dicts.
"""

from __future__ import annotations

import dataclasses


#: The devices a learner may not know, in words (`npu` is grading/case.py's STAND_IN).
DEVICE_NOTES = {"npu": "a stand-in GPU that computes on the CPU",
                "meta": "shapes only, no values"}

#: Checks that only gate a submission: passing them shows no work done.
GATES = frozenset({"syntax", "imports", "forbidden routine"})


@dataclasses.dataclass
class CheckItem:
    name: str  # the property of the contract, e.g. "values", "numerical stability", "device"
    passed: bool
    device: str  # "cpu", "cuda", "npu" (the stand-in GPU), "meta", or "-" for checks that run no code
    message: str = ""
    priority: int = 0  # failures are shown lowest first: the most specific diagnosis leads
    case: int | None = None  # the index of the case the message shows (its smallest counterexample)

    def to_json(self) -> dict:
        return {"name": self.name, "passed": self.passed, "device": self.device, "message": self.message,
                "priority": self.priority, "case": self.case}

    @property
    def label(self) -> str:
        """`name (device)`; `name (detail, device)` when the name already ends in parentheses, never `) (`."""
        if self.name.endswith(")") and "(" in self.name:
            return f"{self.name[:-1]}, {self.device})"
        return f"{self.name} ({self.device})"


@dataclasses.dataclass
class PropertyScore:
    """One property of the contract, counted once whatever the number of devices it ran on."""

    name: str
    weight: float
    met: bool
    earned: float  # weight when met and counted, else 0
    note: str = ""  # why a met property earns nothing, or why a failure was moved to `device`

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class CheckResult:
    exercise: str
    file: str
    checks: list[CheckItem] = dataclasses.field(default_factory=list)
    error: str | None = None  # a one-line cause when the submission could not be graded at all
    seed: int | None = None
    isolation: str = ""
    seconds: float = 0.0
    output: str = ""  # what the learner's code printed (trimmed)
    zero_score: bool = False  # set for cheating (a forbidden routine or import): no partial credit
    properties: list[PropertyScore] = dataclasses.field(default_factory=list)  # the score's breakdown

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def score(self) -> float:
        """The weighted share of the contract's properties met (see d2lcoach/grading/scoring.py).
        Gates (syntax, imports, forbidden routines) earn nothing by passing, so a stub scores 0;
        failing one of them zeroes the score."""
        if self.error is not None or self.zero_score or not self.checks:
            return 0.0
        if any(c.name in GATES and not c.passed for c in self.checks):
            return 0.0
        total = sum(p.weight for p in self.properties)
        if total <= 0:
            return 0.0
        return round(sum(p.earned for p in self.properties) / total, 4)

    def per_device(self) -> dict[str, bool]:
        devices: dict[str, bool] = {}
        for c in self.checks:
            if c.device != "-":
                devices[c.device] = devices.get(c.device, True) and c.passed
        return devices

    def failures(self) -> list[CheckItem]:
        """The failing checks, most specific first (by priority; the table's order among equals)."""
        return sorted((c for c in self.checks if not c.passed), key=lambda c: c.priority)

    def to_json(self) -> dict:
        """The one JSON object of `check --json`."""
        return {"exercise": self.exercise, "file": self.file, "passed": self.passed, "score": self.score,
                "checks": [c.to_json() for c in self.checks], "error": self.error,
                "points": [p.to_json() for p in self.properties]}

    def to_record(self) -> dict:
        """The richer record kept in batch results: the JSON plus seed, isolation and timing."""
        record = self.to_json()
        record.update({"seed": self.seed, "isolation": self.isolation, "seconds": round(self.seconds, 4),
                       "zero_score": self.zero_score})
        return record

    @classmethod
    def from_record(cls, record: dict) -> "CheckResult":
        return cls(exercise=record["exercise"], file=record["file"],
                   checks=[CheckItem(**c) for c in record["checks"]], error=record.get("error"),
                   seed=record.get("seed"), isolation=record.get("isolation", ""),
                   seconds=record.get("seconds", 0.0), zero_score=record.get("zero_score", False),
                   properties=[PropertyScore(**p) for p in record.get("points") or []])
