"""Points and the order of failures: each property of a contract counts once, whatever the devices.

The rules (the README's "How points are counted" explains them with an example):

1. The checks are per (property, device); the score is per property. A property is met when no
   device fails it.
2. A property that fails on some devices and passes on another is a device problem (a tensor
   created on a hard-coded device, say): it counts as met, and `device` as not met.
3. Generic properties, which the engine checks on every case whatever it tests (`GENERIC`), earn
   nothing while the values are wrong in every case: any function that returns a tensor of the
   right shape passes them.
4. Each property weighs what the manifest says (the exercise's `weights`, else `default_weights`);
   the score is the weighted share met. Gates (syntax, imports, forbidden routines) earn nothing
   and zero the score when failed.

Failures are shown most specific first (`priority`): a gate, then a failure a grader's declared
diagnosis explains, then contract properties by the share of their cases that failed (a property
the submission misses entirely before one it misses in passing), then failures that follow from
another failing check (`PRIORITY_CONSEQUENCE`: a case's float64 run when its values are already wrong,
or a case that `requires` a property that fails), then generic properties, then checks that could
not run.
"""

from __future__ import annotations

from typing import Callable, Iterable

from d2lcoach.results import GATES, CheckItem, PropertyScore

#: Properties the engine checks on every case, whatever the property the case tests.
GENERIC = ("result type", "shape", "dtype", "device", "no mutation", "gradients")

PRIORITY_GATE, PRIORITY_DIAGNOSED, PRIORITY_CONTRACT, PRIORITY_GENERIC, PRIORITY_NOT_CHECKED = 0, 1, 2, 20, 30
PRIORITY_CONSEQUENCE = PRIORITY_CONTRACT + 11  # after every contract property, before the generic ones
#: Checks that run a case's computation again in another form (another dtype, a reloaded copy): they
#: fail whenever that case's values do.
RERUNS = ("float64", "state_dict round trip")


def failure_priority(name: str, diagnosed: bool, failed_cases: int, checked_cases: int) -> int:
    """Where a failing check goes in the display: lower first (see the module's docstring). Checks that
    could not run get PRIORITY_NOT_CHECKED where they are made."""
    if name in GATES:
        return PRIORITY_GATE
    if diagnosed:
        return PRIORITY_DIAGNOSED
    if name in GENERIC:
        return PRIORITY_GENERIC
    missed = failed_cases / max(1, failed_cases, checked_cases)
    return PRIORITY_CONTRACT + round(10 * (1 - missed))


def score_properties(checks: Iterable[CheckItem], weight: Callable[[str], float],
                     values_right: bool | None) -> list[PropertyScore]:
    """The score's breakdown: every property once, contract properties first, then the generic ones.

    values_right: whether at least one case's values were right (None when no values were compared,
    as on the meta device alone)."""
    rows: dict[str, list[CheckItem]] = {}
    for check in checks:
        if check.name not in GATES:
            rows.setdefault(check.name, []).append(check)
    names = [n for n in rows if n not in GENERIC] + [n for n in GENERIC if n in rows or n == "result type"]
    device_only: dict[str, list[str]] = {}
    for name in names:
        items = rows.get(name, [])
        failed = [c.device for c in items if not c.passed]
        if failed and name != "device" and len(failed) < len(items):
            device_only[name] = failed
    scores = []
    for name in names:
        items = rows.get(name, [])
        met = all(c.passed for c in items) or name in device_only
        if not items:  # result type: shown only when it fails, met when something of the right type came back
            met = any(c.passed and not c.message for group in rows.values() for c in group)
        note = ""
        if name in device_only:
            note = f"fails only on {', '.join(device_only[name])}: counted against device"
        if name == "device" and device_only:
            met = False
            note = "other checks fail on one device only: " + ", ".join(device_only)
        earned = weight(name) if met else 0.0
        if met and name in GENERIC and values_right is False:
            earned, note = 0.0, "earns nothing while every value is wrong"
        scores.append(PropertyScore(name, weight(name), met, earned, note))
    return scores


def format_points(properties: list[PropertyScore]) -> str:
    """One line: each property's points earned of its weight, and the total."""
    def num(x: float) -> str:
        return f"{x:g}"
    parts = [f"{p.name} {num(p.earned)}/{num(p.weight)}" for p in properties]
    earned, total = sum(p.earned for p in properties), sum(p.weight for p in properties)
    notes: dict[str, list[str]] = {}
    for p in properties:
        if p.note:
            notes.setdefault(p.note, []).append(p.name)
    why = "".join(f"; {', '.join(names)}: {note}" for note, names in notes.items())
    return ", ".join(parts) + f" = {num(earned)}/{num(total)}" + why
