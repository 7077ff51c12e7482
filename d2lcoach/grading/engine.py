"""The grading engine: static check, sandboxed run, and the parent's own comparison against the reference.

Reference answers are computed here, in the trusted parent, and never sent to the child. The
child's outputs come back as plain tensors built from bytes, and every verdict is made here.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import secrets
import signal
import time
from pathlib import Path
from types import ModuleType

import torch

from d2lcoach.course import Exercise
from d2lcoach.errors import UsageError
from d2lcoach.grading.case import STAND_IN, Case
from d2lcoach.grading.compare import compare_values, excerpt, shape_str, show
from d2lcoach.grading.operators import matches, request_plan
from d2lcoach.grading.diagnosis import COMMON as COMMON_DIAGNOSES, first_match
from d2lcoach.grading.scoring import (GENERIC, PRIORITY_CONSEQUENCE, PRIORITY_NOT_CHECKED, RERUNS, failure_priority,
                                      score_properties)
from d2lcoach.grading.static import check_source
from d2lcoach.grading.version import GRADER_VERSION  # noqa: F401 - the engine's version, named here too
from d2lcoach.errormap import error_map, should_map
from d2lcoach.text import clean
from d2lcoach.results import DEVICE_NOTES, CheckItem, CheckResult
from d2lcoach.sandbox import Limits, Outcome, Sandbox
from d2lcoach.sandbox.runtime import drivers
from d2lcoach.sandbox.runtime import lazy_dynamo
from d2lcoach.sandbox.runtime import standin
from d2lcoach.sandbox.runtime.wire import SentTensor
from d2lcoach.text import clip

#: STAND_IN, the stand-in GPU of a grader without one (d2lcoach/sandbox/runtime/standin.py), says it
#: is a real accelerator and computes real values on the CPU, so values are checked there too.
DEVICE_CHOICES = ("all", "cpu", "cuda", STAND_IN, "meta")
#: The longest a check's message may be: it can quote the submission's result, and every report repeats it.
MAX_MESSAGE = 8192
_MIXING = ("expected all tensors to be on the same device", "is not on the expected device",
           "found at least two devices", "expected device", "but got device", "device type")
lazy_dynamo.defer()  # the references run optimisers and meta-free ops only: no compiler needed


def resolve_devices(choice: str) -> list[str]:
    """`all` is the CPU, plus CUDA when available, plus the stand-in GPU when there is none.

    `meta` (shapes and devices only, no values), the stand-in's forerunner, can still be named."""
    choice = (choice or "all").lower()
    if choice not in DEVICE_CHOICES:
        raise UsageError(f"unknown device {choice!r}; choose one of: {', '.join(DEVICE_CHOICES)}")
    cuda = torch.cuda.is_available()
    if choice == "all":
        return ["cpu", "cuda"] if cuda else ["cpu", STAND_IN]
    if choice == "cuda" and not cuda:
        raise UsageError("--device cuda: no CUDA device is available on this machine")
    return [choice]


def describe_devices(devices: list[str]) -> str:
    """The devices a check grades on, in words a learner understands."""
    return ", ".join(f"{d} ({DEVICE_NOTES[d]})" if d in DEVICE_NOTES else d for d in devices)


def new_seed() -> int:
    return secrets.randbelow(2**31)


def _load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=None)
def load_grader(path: Path) -> ModuleType:
    return _load_module(path, f"_d2lcoach_grader_{path.stem}")


@functools.lru_cache(maxsize=None)
def load_reference(path: Path) -> ModuleType:
    return _load_module(path, f"_d2lcoach_reference_{path.stem}")


def make_cases(exercise: Exercise, seed: int) -> list[Case]:
    grader = load_grader(exercise.grader_path)
    gen = torch.Generator().manual_seed(seed)
    cases = list(grader.make_cases(gen))
    for case in cases:
        case.function = case.function or exercise.functions[0]
    return cases


# --------------------------------------------------------------------------- reference answers

def _clone(x):
    if isinstance(x, torch.Tensor):
        return x.clone()
    if isinstance(x, tuple):
        return tuple(_clone(v) for v in x)
    if isinstance(x, list):
        return [_clone(v) for v in x]
    if isinstance(x, dict):
        return {k: _clone(v) for k, v in x.items()}
    return x


def _get(args, path):
    for p in path:
        args = args[p]
    return args


def _flat_tensors(x, out):
    if isinstance(x, torch.Tensor):
        out.append(x)
    elif isinstance(x, (tuple, list)):
        for v in x:
            _flat_tensors(v, out)
    return out


def _detach(x):
    if isinstance(x, torch.Tensor):
        return x.detach()
    if isinstance(x, (tuple, list)):
        return type(x)(_detach(v) for v in x)
    return x


def _on_cpu(x):
    """Stand-in tensors brought to the CPU (while the stand-in is on), the rest as it is."""
    if isinstance(x, torch.Tensor):
        return standin.to_cpu(x)
    if isinstance(x, (tuple, list)):
        return type(x)(_on_cpu(v) for v in x)
    return x


def expected_for(exercise: Exercise, case: Case) -> dict:
    """The reference's output (and gradients) for one case, computed on the CPU in this process."""
    reference = load_reference(exercise.solution_path)
    if case.kind == "driver":
        functions = {name: getattr(reference, name) for name in exercise.functions}
        return {"output": drivers.run(case.spec, functions, "cpu"), "grads": None}
    fn = getattr(reference, case.function)
    if tuple(case.devices or ()) == (STAND_IN,):  # its arguments may name the stand-in (a device list)
        with standin.on():
            return {"output": _on_cpu(_detach(fn(*_clone(case.args), **_clone(case.kwargs)))), "grads": None}
    out = _detach(fn(*_clone(case.args), **_clone(case.kwargs)))
    grads = None
    if case.grad:
        args = _clone(case.args)
        leaves = []
        for path in case.grad:
            leaf = _get(args, path)
            leaf.requires_grad_(True)
            leaves.append(leaf)
        result = _flat_tensors(fn(*args, **_clone(case.kwargs)), [])
        # sum(o * g) has the same gradient as backward(o, g); a scalar needs no grad_outputs, which
        # keeps autograd from importing its symbolic-shape machinery (a quarter second) here.
        total = sum((o * g).sum() for o, g in zip(result, case.grad_outputs) if g is not None)
        grads = list(torch.autograd.grad(total, leaves, allow_unused=True))
    return {"output": out, "grads": grads}


@functools.lru_cache(maxsize=32)
def prepare(exercise: Exercise, seed: int) -> tuple[list[Case], list[dict]]:
    """The cases of (exercise, seed) and their reference answers, computed once and cached."""
    cases = make_cases(exercise, seed)
    return cases, [expected_for(exercise, case) for case in cases]


# --------------------------------------------------------------------------- comparison

def describe_call(case: Case) -> str:
    label = case.label or f"{case.function}(...)"
    parts = []
    names = case.names or tuple(f"arg{i}" for i in range(len(case.args)))
    for name, arg in zip(names, case.args):
        if isinstance(arg, torch.Tensor):
            parts.append(f"{name} of shape {shape_str(arg.shape)} {str(arg.dtype).replace('torch.', '')}")
    return label + (" with " + ", ".join(parts) if parts else "")


def show_inputs(case: Case, limit: int = 64) -> str:
    """Every tensor input of the case: its values when small, else its shape (check --save-case keeps it)."""
    names = case.names or tuple(f"arg{i}" for i in range(len(case.args)))
    lines = []
    for name, arg in [*zip(names, case.args), *case.kwargs.items()]:
        if not isinstance(arg, torch.Tensor):
            continue
        if 0 < arg.numel() <= limit:
            lines.append(f"  {name} = {show(arg)}")
        else:
            dtype = str(arg.dtype).replace("torch.", "")
            why = "empty" if arg.numel() == 0 else "too large to print; check --save-case DIR saves it"
            lines.append(f"  {name}: shape {shape_str(arg.shape)} {dtype} ({why})")
    return "\n".join(lines)


def compare_output(expected, actual, case: Case, device: str, where: str = "the result") -> list[tuple[str, str]]:
    """Default comparison of a result tree: type, shape, dtype, device, then values (not on meta)."""
    call = describe_call(case)
    if isinstance(expected, torch.Tensor):
        if isinstance(actual, dict) and "__subclass__" in actual:
            return [("result type", f"{call}: {where} is a {actual['__subclass__']}, a subclass of "
                     "torch.Tensor; return a plain torch.Tensor")]
        if not isinstance(actual, SentTensor):
            kind = actual.get("__object__") if isinstance(actual, dict) else type(actual).__name__
            return [("result type", f"{call}: {where} should be a tensor, got {kind}")]
        problems = []
        want = device if device != "cuda" else "cuda"
        if actual.device.split(":")[0] != want:
            problems.append(("device", f"{call}: {where} is on {actual.device}, but the inputs were on "
                             f"{device}; create new tensors with device=X.device (or *_like)"))
        if tuple(actual.tensor.shape) != tuple(expected.shape):
            problems.append(("shape", f"{call}: {where} has shape {shape_str(actual.tensor.shape)}, "
                             f"expected {shape_str(expected.shape)}"))
            return problems
        if actual.tensor.dtype != expected.dtype:
            problems.append(("dtype", f"{call}: {where} has dtype {str(actual.tensor.dtype).replace('torch.', '')}, "
                             f"expected {str(expected.dtype).replace('torch.', '')} (the input's dtype)"))
            return problems
        if device == "meta" or problems:
            return problems
        rtol, atol = case.tolerances(expected.dtype)
        mismatch = compare_values(expected, actual.tensor, rtol, atol)
        if mismatch is None:
            return []
        exp_x, act_x = excerpt(expected, actual.tensor, mismatch.index)
        message = [f"{call}: {where} is wrong. {mismatch.describe()}."]
        inputs = show_inputs(case)
        if inputs:
            message.append("Input:\n" + inputs)
        message.append(f"Expected (around the worst element): {exp_x}")
        message.append(f"Got:                                 {act_x}")
        if should_map(expected):
            drawn = error_map(expected, actual.tensor, rtol=rtol, atol=atol)
            if drawn:
                message.append("Where the errors are:\n" + drawn)
        if case.hint:
            message.append("Hint: " + case.hint)
        return [(case.property, "\n".join(message))]
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            got = (f"a {type(actual).__name__} of {len(actual)}" if isinstance(actual, (tuple, list))
                   else _kind(actual))
            return [("result type", f"{call}: {where} should be a tuple of {len(expected)} values, got {got}")]
        problems = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            problems += compare_output(e, a, case, device, f"{where}[{i}]")
        return problems
    if isinstance(expected, float):
        if type(actual) is not float:
            message = f"{call}: {where} should be a Python float, got {_kind(actual)}"
            if type(actual) is int:
                message += (f" ({actual!r}): the contract asks for a float, even where an int holds the "
                            "same number")
                message += f"\nHint: {case.hint}" if case.hint else ""
            return [("result type", message)]
        if device == "meta":
            return []
        rtol, atol = case.tolerances(torch.float64)
        if not abs(actual - expected) <= atol + rtol * abs(expected) and not (actual != actual and expected != expected):
            return [(case.property, f"{call}: {where} is {actual:.6g}, expected {expected:.6g}")]
        return []
    if expected != actual:
        return [(case.property, f"{call}: {where} is {_one_line(repr(actual), 200)}, expected {expected!r}")]
    return []


def _kind(x) -> str:
    if isinstance(x, dict):
        return x.get("__object__") or x.get("__subclass__") or "an object"
    if isinstance(x, SentTensor):
        return "a tensor"
    name = type(x).__name__
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def _path_name(case: Case, path) -> str:
    names = case.names or ()
    if path and isinstance(path[0], str):
        head = path[0]
    elif path and isinstance(path[0], int) and path[0] < len(names):
        head = names[path[0]]
    else:
        head = f"argument {path[0] if path else '?'}"
    return head + "".join(f"[{p}]" for p in path[1:])


def _one_line(text, limit: int = 300) -> str:
    """Learner-controlled text in a message: its first line only, capped, so it cannot forge lines."""
    text = str(text)
    first = text.splitlines()[0] if text.strip() else ""
    return clip(clean(first, one_line=True), limit, more=len(text.splitlines()) > 1)


_LIMIT_HINTS = (
    (("memoryerror", "can't allocate memory", "bad_alloc", "cannot allocate memory"),
     "out of memory: the sandbox's memory limit for a submission was reached"),
    (("file too large", "errno 27"), "the sandbox's limit on the size of a file was reached"),
    (("resource temporarily unavailable", "errno 11"), "the sandbox's limit on processes was reached"),
    (("can't start new thread",), "the sandbox grades on one thread: compute in the calling thread"),
)


def _limit_hint(text: str) -> str:
    """Name the sandbox limit behind an error, when it is one, so the learner knows it was not a bug."""
    low = text.lower()
    for needles, hint in _LIMIT_HINTS:
        if any(n in low for n in needles):
            return f" ({hint})"
    return ""


def _is_mixing(message: str) -> bool:
    low = message.lower()
    return any(m in low for m in _MIXING)


_NEEDS_VALUES = ("cannot be called on meta tensors", "cannot copy out of meta tensor",
                 "can't convert meta device type tensor", "data-dependent", "meta_nonzero",
                 "from the 'meta' backend", "cannot be converted to scalar", "unsupported on meta",
                 "is not implemented for meta", "meta tensors do not support",
                 "no fake impl or meta kernel", "without output_size")


def _needs_values(message: str) -> bool:
    low = message.lower()
    return any(m in low for m in _NEEDS_VALUES)


@dataclasses.dataclass
class RunVerdict:
    """What one run (a case on a device) showed: failures, the checks it verified, and whether it was
    inconclusive (code that needs real values on the meta device)."""

    failures: list[tuple[str, str]]
    verified: set[str]
    inconclusive: bool = False
    error: str | None = None


def evaluate_run(case: Case, expected: dict, run: dict, forbidden_ops, forbidden_functions) -> RunVerdict:
    """Judge one run of one case on one device."""
    device = run.get("device", "cpu")
    verdict = RunVerdict([], {"forbidden routine"})
    failures = verdict.failures
    hits = forbidden_hits(forbidden_ops, forbidden_functions, run.get("ops") or [])
    if hits:
        failures.append(("forbidden routine", f"{describe_call(case)} ran {', '.join(hits)}, which this "
                         "exercise asks you to implement yourself"))
    error = run.get("error")
    if error:
        text = f"{_one_line(error.get('type'), 60)}: {_one_line(error.get('message'))}"
        text += _limit_hint(text)
        verdict.error = f"{describe_call(case)} raised {text}"
        if _is_mixing(text):
            failures.append(("device", f"{describe_call(case)} on the {device} device mixes devices: {text}. "
                             "Create new tensors on the inputs' device (device=X.device, or *_like)"))
            verdict.inconclusive = device == "meta"  # the other checks could not run there
            if device != "meta":
                return verdict
        if device == "meta":
            if _needs_values(text):
                verdict.inconclusive = True  # needs real values: not failed for that
            return verdict
        trace = "\n".join(line[:200] for line in str(error.get("trace") or "").splitlines()[-6:]
                          if line.startswith("  "))
        failures.append((case.property, f"{describe_call(case)} raised {text}" + (f"\n{trace}" if trace else "")))
        return verdict
    actual = run.get("output")
    if case.compare is not None:
        found = case.compare(expected["output"], actual, case, device) or []
        # A custom comparison checks every property it names, unless the result's type stopped it.
        verdict.verified |= {"result type", "device"}
        if device != "meta" and not any(name == "result type" for name, _ in found):
            verdict.verified |= {case.property, *case.checks}
    else:
        found = compare_output(expected["output"], actual, case, device)
        names = {name for name, _ in found}
        if "result type" not in names:
            verdict.verified |= {"result type", "shape", "device"}
            if "shape" not in names:  # values and dtype cannot be compared across shapes
                verdict.verified.add("dtype")
                if device != "meta" and "dtype" not in names:
                    verdict.verified.add(case.property)
    failures += found
    verdict.verified.add("no mutation")
    mutated = run.get("mutated") or []
    if mutated:
        names = ", ".join(_path_name(case, p) for p in mutated if isinstance(p, list) and p)
        failures.append(("no mutation", f"{describe_call(case)} changed {names} in place; "
                         "compute new tensors instead (no +=, *=, [...] = or *_ methods on the arguments)"))
    if case.grad and device != "meta":
        values_ok = not any(name == case.property for name, _ in found)
        grad_failures = _compare_grads(case, expected, run, values_ok)
        failures += grad_failures
        if not any(name == "gradients" for name, _ in grad_failures) and run.get("grads") is not None:
            verdict.verified.add("gradients")
    return verdict


def _compare_grads(case: Case, expected: dict, run: dict, values_ok: bool = True) -> list[tuple[str, str]]:
    call = describe_call(case)
    grad_error = run.get("grad_error")
    if grad_error:
        if grad_error.get("type") == "detached":
            return [("gradients", f"{call}: the result does not require grad, so no gradient can flow back. "
                     "Look for .detach(), .data, a NumPy round trip, .item() or torch.no_grad() on the path")]
        if grad_error.get("type") == "shape":
            return []  # already failed as a shape problem
        return [("gradients", f"{call}: the call with requires_grad=True failed: "
                 f"{_one_line(grad_error.get('type'), 60)}: {_one_line(grad_error.get('message'))}")]
    grads = run.get("grads")
    if not isinstance(grads, list) or len(grads) != len(case.grad):
        return [("gradients", f"{call}: no gradients came back")]
    failures = []
    for path, want, got in zip(case.grad, expected["grads"], grads):
        name = _path_name(case, list(path))
        if want is None:
            continue
        if got is None:
            failures.append(("gradients", f"{call}: no gradient reached {name}: it is cut off the graph "
                             "(.detach(), .data, NumPy, or a value rebuilt with torch.tensor(...))"))
            continue
        if not isinstance(got, SentTensor) or tuple(got.tensor.shape) != tuple(want.shape):
            failures.append(("gradients", f"{call}: the gradient of {name} came back malformed"))
            continue
        rtol, atol = case.tolerances(want.dtype)
        mismatch = compare_values(want, got.tensor, rtol * 10, atol * 10)
        if mismatch is not None:
            advice = (" The values are right but this gradient is wrong: that usually means a step that "
                      "autograd cannot see through (an in-place write, a .detach(), or a constant where a "
                      "tensor should be)" if values_ok else " The values are wrong too: fix those first")
            failures.append(("gradients", f"{call}: the gradient with respect to {name} is wrong. "
                             f"{mismatch.describe()}.{advice}"))
    return failures


# --------------------------------------------------------------------------- the whole grade

def outcome_error(outcome: Outcome, limits: Limits) -> str | None:
    """A one-line cause for a submission that produced no usable result."""
    if outcome.status == "timeout":
        return (f"timed out: the submission ran longer than its {limits.wall_seconds:g} s limit "
                "(an endless loop, or a very slow one?)")
    if outcome.status == "no_result":
        if outcome.signal:
            name = signal.Signals(outcome.signal).name if outcome.signal in signal.Signals._value2member_map_ else str(outcome.signal)
            why = {"SIGXCPU": "it used up its CPU time limit", "SIGKILL": "it was killed (memory or process limit?)",
                   "SIGSEGV": "it crashed (segmentation fault)", "SIGXFSZ": "it wrote a file larger than allowed"}.get(name, "")
            return f"the submission's process died from {name}" + (f": {why}" if why else "")
        return (f"the submission's process exited (status {outcome.exit}) before sending its answer: "
                "sys.exit() or os._exit() in the submission?")
    if outcome.status == "too_many_processes":
        return (f"the submission started more than {limits.processes} processes (a fork bomb?) and was "
                "stopped")
    if outcome.status == "too_large":
        return "the submission sent back more data than the grader accepts"
    if outcome.status in ("bad_result", "worker_died"):
        return outcome.detail or "the submission broke the grading sandbox"
    return None


def _load_error_message(result: dict) -> str | None:
    error = result.get("load_error")
    if error:
        text = f"{_one_line(error.get('type'), 60)}: {_one_line(error.get('message'))}"
        text += _limit_hint(text)
        trace = (error.get("trace") or "").strip().splitlines()
        where = f"; at {_one_line(trace[0].strip().removeprefix('File '))}" if trace else ""  # never `) (`
        return f"loading the submission raised {text}{where}"
    missing = result.get("missing") or []
    if missing:
        return f"the submission does not define {_one_line(', '.join(missing))}"
    return None


def grade_source(exercise: Exercise, source: str, filename: str, *, sandbox: Sandbox,
                 devices: list[str] | None = None, seed: int | None = None,
                 limits: Limits | None = None) -> CheckResult:
    """Grade one submission's source text. Never raises for anything the submission does."""
    start = time.perf_counter()
    devices = devices or resolve_devices("all")
    seed = new_seed() if seed is None else int(seed)
    result = CheckResult(exercise=exercise.id, file=filename, seed=seed, isolation=sandbox.level)
    display_name = Path(filename).name
    findings = check_source(source, display_name, exercise)
    for finding in findings:
        if finding.check == "syntax":
            result.error = clean(f"syntax error: {finding.message}", one_line=True)
        result.checks.append(CheckItem(finding.check, False, "-", clean(finding.message)))
    if findings:
        result.zero_score = any(f.check in ("forbidden routine", "imports", "code rules") for f in findings)
        result.seconds = time.perf_counter() - start
        return result
    result.checks.append(CheckItem("imports", True, "-", "only allowed imports"))
    cases, expected = prepare(exercise, seed)
    request_cases = []
    for index, case in enumerate(cases):
        wanted = [d for d in (case.devices or devices) if d in devices and (d != "meta" or case.meta)]
        entry = {"id": index, "kind": case.kind, "function": case.function, "devices": wanted}
        if case.kind == "driver":
            entry["spec"] = case.spec
        else:
            entry.update(args=case.args, kwargs=case.kwargs, grad=[list(p) for p in case.grad],
                         grad_outputs=case.grad_outputs or [])
        request_cases.append(entry)
    request = {"filename": display_name, "source": source, "functions": list(exercise.functions),
               "allowed_imports": list(exercise.allowed_imports), "cases": request_cases,
               "record_ops": bool(exercise.forbidden.ops), "record_functions": bool(exercise.forbidden.functions),
               "disable_ops": request_plan(exercise.forbidden.ops),
               "disable_functions": list(exercise.forbidden.names)}
    limits = limits or Limits(wall_seconds=exercise.time_limit, cpu_seconds=int(exercise.time_limit) + 5,
                              cuda="cuda" in devices)
    outcome = sandbox.run(request, limits)
    result.output = clean(outcome.output) + (f"\n... ({outcome.output_dropped} more bytes of output cut)"
                                             if outcome.output_dropped else "")
    cause = outcome_error(outcome, limits)
    if cause is None:
        cause = _load_error_message(outcome.result)
    if cause is None:
        gates = list(result.checks)
        try:
            _judge(result, exercise, cases, expected, outcome.result, devices)
            _judge_evidence(result, exercise, outcome.evidence)
        except Exception as exc:  # noqa: BLE001 - a result shaped to trip the comparison is the submission's
            result.checks, result.zero_score = gates, False
            cause = f"the submission sent a result the grader cannot judge ({type(exc).__name__})"
    if cause is not None:
        result.error = clean(cause, one_line=True)
    for check in result.checks:  # every message may quote the submission: no control characters, bounded
        check.message = clip(clean(check.message), MAX_MESSAGE)
    result.seconds = time.perf_counter() - start
    return result


def forbidden_hits(op_patterns, functions, names) -> list[str]:
    """The recorded operator names matching `op_patterns` and `function::` names in `functions`."""
    hits = set()
    for name in names:
        if not isinstance(name, str):
            continue
        if name.startswith("function::"):
            if name.split("::", 1)[1] in functions:
                hits.add(name)
        elif name.startswith("disabled::"):  # a forbidden Python routine, switched off, was called
            hits.add(name.split("::", 1)[1])
        elif matches(name, op_patterns):
            hits.add(name)
    return sorted(hits)


def _judge_evidence(result: CheckResult, exercise: Exercise, evidence: list[str]):
    """The operators streamed out of the child as they ran: what the submission cannot take back.

    Also catches tampering with the recorders (patched classes, a recorder popped off the stack)."""
    tampered = sorted({line.split("::", 1)[1] for line in evidence if line.startswith("tamper::")})
    hits = forbidden_hits(exercise.forbidden.ops, exercise.forbidden.functions, evidence)
    already = any(c.name == "forbidden routine" and not c.passed for c in result.checks)
    if tampered:
        result.checks.append(CheckItem("forbidden routine", False, "all", "the submission tampered with the "
                                       f"grader's operator recorder ({_one_line('; '.join(tampered))})"))
        result.zero_score = True
    elif hits and not already:
        result.checks.append(CheckItem("forbidden routine", False, "all", f"the submission ran {', '.join(hits)}, "
                                       "which this exercise asks you to implement yourself"))
        result.zero_score = True


def _judge(result: CheckResult, exercise: Exercise, cases: list[Case], expected: list[dict],
           child: dict, devices: list[str]):
    failures: dict[tuple[str, str], list[tuple[int, str, int, bool]]] = {}  # size, message, case, diagnosed
    verified: dict[tuple[str, str], int] = {}
    examined: dict[tuple[str, str], int] = {}  # the runs that checked a property, failed or not
    first_error: dict[str, str] = {}
    inconclusive: dict[str, int] = {}
    names_by_device: dict[str, list[str]] = {d: [] for d in devices}
    ran: dict[tuple[int, str], dict] = {}
    diagnoses = (*getattr(load_grader(exercise.grader_path), "DIAGNOSES", ()), *COMMON_DIAGNOSES)
    values_right: bool | None = None  # whether some case's values were right (None: none compared)
    for run in child.get("runs") or []:
        if isinstance(run, dict) and isinstance(run.get("case"), int) and run.get("device") in devices:
            ran[(run["case"], run["device"])] = run
    for index, case in enumerate(cases):
        wanted = [d for d in (case.devices or devices) if d in devices and (d != "meta" or case.meta)]
        for device in wanted:
            order = names_by_device[device]
            if case.compare is not None:
                base = [case.property, *case.checks] if device != "meta" else []
            else:
                base = ["shape", "dtype"] + ([case.property] if device != "meta" else [])
            if case.grad and device != "meta":
                base.append("gradients")
            for name in base + ["no mutation", "device"]:
                if name not in order:
                    order.append(name)
            run = ran.get((index, device))
            if run is None:
                failures.setdefault((case.property, device), []).append(
                    (case.size(), f"{describe_call(case)}: no result came back for this case", index, False))
                continue
            verdict = evaluate_run(case, expected[index], run, exercise.forbidden.ops,
                                   exercise.forbidden.functions)
            if verdict.error and device not in first_error:
                first_error[device] = verdict.error
            if verdict.inconclusive:
                inconclusive[device] = inconclusive.get(device, 0) + 1
            if device != "meta":
                values_right = values_right or (not verdict.error and case.property in verdict.verified and
                                                all(name in GENERIC for name, _ in verdict.failures))
            for name in verdict.verified:
                verified[(name, device)] = verified.get((name, device), 0) + 1
            for name in verdict.verified | {name for name, _ in verdict.failures}:
                examined[(name, device)] = examined.get((name, device), 0) + 1
            for name, message in verdict.failures:
                if name not in order:
                    order.append(name)
                message, diagnosed = _diagnose(diagnoses, case, name, message, expected[index], run, verdict)
                failures.setdefault((name, device), []).append((case.size(), message, index, diagnosed))
    forbidden_hit = False
    consequences = _consequences(cases, failures)
    for device in devices:
        names = names_by_device[device]
        if not names:
            continue
        names.append("forbidden routine")
        tail = [n for n in ("gradients", "no mutation", "device", "forbidden routine") if n in names]
        head = [n for n in names if n not in tail]
        for name in head + tail:
            found = failures.get((name, device))
            if found:
                causes = {item[2]: consequences.get((name, device, item[2])) for item in found}
                found.sort(key=lambda item: (bool(causes[item[2]]), item[0]))  # one on its own first
                _, message, case_index, diagnosed = found[0]
                if len(found) > 1:
                    message += f"\n({len(found)} failing cases; this is the smallest)"
                failed = len({item[2] for item in found})
                priority = failure_priority(name, diagnosed, failed, examined.get((name, device), failed))
                if causes[case_index]:
                    message = _as_consequence(message, cases[case_index], causes[case_index])
                    priority = max(priority, PRIORITY_CONSEQUENCE)
                result.checks.append(CheckItem(name, False, device, message, priority, case_index))
                forbidden_hit |= name == "forbidden routine"
            elif verified.get((name, device)):
                result.checks.append(CheckItem(name, True, device, ""))
            elif device == "meta" and inconclusive.get(device):
                result.checks.append(CheckItem(name, True, device, "not checked on meta: the code needs real "
                                               "values there, which is not failed"))
            else:
                reason = first_error.get(device) or (
                    "the result has the wrong type (see the result type check)"
                    if failures.get(("result type", device)) else "no case could check it")
                result.checks.append(CheckItem(name, False, device, f"not checked, because {reason}",
                                               PRIORITY_NOT_CHECKED))
    result.zero_score = forbidden_hit
    result.properties = score_properties(result.checks, exercise.weight, values_right)


def _consequences(cases: list[Case], failures: dict) -> dict[tuple[str, str, int], list[str]]:
    """The undiagnosed failures that follow from another failing check, as (check, device, case) ->
    the checks they follow from: a rerun of a case's computation (`RERUNS`: float64, a state_dict round
    trip) when that case's property failed too, and a case's property while a property it `requires`
    fails on the device."""
    failing = {}  # (device) -> {check: {case indices}}
    for (name, device), found in failures.items():
        failing.setdefault(device, {}).setdefault(name, set()).update(item[2] for item in found)
    result = {}
    for (name, device), found in failures.items():
        for _, _, index, diagnosed in found:
            case = cases[index]
            if diagnosed or name in GENERIC:
                continue
            here = failing.get(device, {})
            if name in RERUNS and name != case.property and index in here.get(case.property, ()):
                result[(name, device, index)] = [case.property]
            elif name == case.property and any(here.get(r) for r in case.requires):
                result[(name, device, index)] = [r for r in case.requires if here.get(r)]
    return result


def _as_consequence(message: str, case: Case, causes: list[str]) -> str:
    """A failure that follows from `causes`: its case's hint (about this check's own contract) gives way
    to a pointer at the check to fix first."""
    if case.hint:
        message = message.replace("\nHint: " + case.hint, "")
    names = " and ".join(f"`{c}`" for c in causes)
    return message + f"\n(this follows from the failing {names} check: fix that first)"


def _diagnose(diagnoses, case: Case, name: str, message: str, expected: dict, run: dict,
              verdict: RunVerdict) -> tuple[str, bool]:
    """The failure's message with the hint of the first diagnosis whose condition it meets, in place of
    the case's general hint; and whether one did."""
    error_text = verdict.error.split(" raised ", 1)[1] if verdict.error else None
    if error_text is None and (run.get("device") == "meta" or name in GENERIC):
        return message, False  # conditions on values explain value failures only
    found = first_match(diagnoses, name, error_text, expected["output"], run.get("output"), case)
    if found is None:
        return message, False
    general = "\nHint: " + case.hint if case.hint else None
    if general and general in message:
        return message.replace(general, "\nHint: " + found.hint, 1), True
    return message + "\nHint: " + found.hint, True
