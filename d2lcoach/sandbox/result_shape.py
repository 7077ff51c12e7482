"""The shape a child's decoded result must have before the parent judges it.

The child is untrusted: it may skip the harness and write any well-formed message into its result
pipe. `result_problem` accepts exactly what the harness sends (see runtime/harness.py): errors as
three strings, operator names, mutation paths, gradients, and outputs made of tensors, numbers,
strings, tuples, lists and short type names. Names that end up inside check messages (mapping keys,
type names, path parts) must be short and free of control characters.
"""

from __future__ import annotations

from d2lcoach.sandbox.runtime.wire import SentTensor

_MAX_DEPTH = 16
_MAX_NAME = 120


def _name_ok(x) -> bool:
    return isinstance(x, str) and len(x) <= _MAX_NAME and x.isprintable()


def _error_ok(x) -> bool:
    return x is None or (isinstance(x, dict) and set(x) <= {"type", "message", "trace"}
                         and all(isinstance(x.get(k, ""), str) for k in ("type", "message", "trace")))


def _value_problem(x, depth: int = 0) -> str | None:
    """An output tree as harness._plain (and the GAN runtime) builds it."""
    if depth > _MAX_DEPTH:
        return "nested too deeply"
    if x is None or isinstance(x, (bool, int, float, str, SentTensor)):
        return None
    if isinstance(x, (list, tuple)):
        for v in x:
            problem = _value_problem(v, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(x, dict):
        if not all(_name_ok(k) for k in x):
            return "bad name in a mapping"
        if set(x) & {"__object__", "__subclass__"}:
            return None if len(x) == 1 and all(_name_ok(v) for v in x.values()) else "bad type name"
        for v in x.values():
            problem = _value_problem(v, depth + 1)
            if problem:
                return problem
        return None
    return f"unexpected {type(x).__name__}"


def _run_problem(run) -> str | None:
    if not isinstance(run, dict) or type(run.get("case")) is not int or not _name_ok(run.get("device")):
        return "bad run"
    if not _error_ok(run.get("error")) or not _error_ok(run.get("grad_error")):
        return "bad error in a run"
    ops = run.get("ops", [])
    if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
        return "bad operator list"
    mutated = run.get("mutated", [])
    if not isinstance(mutated, list) or not all(
            isinstance(m, list) and all(type(p) is int or _name_ok(p) for p in m) for m in mutated):
        return "bad mutation list"
    grads = run.get("grads")
    if grads is not None and (not isinstance(grads, list) or _value_problem(grads)):
        return "bad gradients"
    seconds = run.get("seconds", 0.0)
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return "bad timing"
    problem = _value_problem(run.get("output"))
    return f"bad output ({problem})" if problem else None


def result_problem(result) -> str | None:
    """Why a decoded child result does not have the shape the harness sends, or None."""
    if not isinstance(result, dict):
        return "not a mapping"
    if not _error_ok(result.get("load_error")):
        return "bad load_error"
    missing = result.get("missing", [])
    if not isinstance(missing, list) or not all(_name_ok(m) for m in missing):
        return "bad missing list"
    runs = result.get("runs", [])
    if not isinstance(runs, list):
        return "bad runs"
    for run in runs:
        problem = _run_problem(run)
        if problem:
            return problem
    return None
