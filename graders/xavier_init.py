"""Grader for xavier_init (D2L 5.4): xavier_uniform_ by statistics over large Linear and convolution
weights (the `repeat` driver), each statistical check failing a correct solution with probability at
most 1e-9, and by structure (the `steps` driver): filled in place, the same tensor returned, a parameter
that requires grad stays a leaf, fresh values on every call, every element drawn on its own.

The bound a = gain * sqrt(6 / (fan_in + fan_out)) is computed here from PyTorch's fan rule (dimension 1
is the input, 0 the output, trailing dimensions multiply both), independently of the reference.
"""

from __future__ import annotations

import math

import torch

from d2lcoach.grading import stats
from d2lcoach.grading.case import Case
from d2lcoach.sandbox.runtime.wire import SentTensor

STAT_CHECKS = ("the bound a", "uniform distribution", "fresh values every call", "independent draws")
STRUCTURE_CHECKS = ("fills in place", "returns the same tensor", "a parameter that requires grad")
#: What the tensor holds before the call: outside every [-a, a] graded, so an element left unfilled shows.
FILL = 7.0

HINTS = {
    "the bound a": "a = gain * sqrt(6 / (fan_in + fan_out)). For a (out, in) weight fan_in = in and fan_out = out; "
                   "for (out, in, kh, kw) both are multiplied by the receptive field kh * kw (every dimension "
                   "after the first two), as PyTorch computes them",
    "uniform distribution": "draw from the uniform distribution on [-a, a]: tensor.uniform_(-a, a), or "
                            "torch.rand(...) * 2 * a - a; not a normal distribution and not [0, a]",
    "fresh values every call": "use torch's global random generator (tensor.uniform_ does): no torch.manual_seed "
                               "and no torch.Generator of your own inside the function",
    "independent draws": "draw one random number per element (tensor.uniform_(-a, a) fills all of them); do not "
                         "repeat one row, column or fixed pattern of values",
}


def fans(shape) -> tuple[int, int]:
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def bound(shape, gain: float) -> float:
    fan_in, fan_out = fans(shape)
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


def _seed(gen) -> int:
    return int(torch.randint(2**31 - 1, (), generator=gen))


def _shape_text(shape) -> str:
    kind = "a Linear weight (out, in)" if len(shape) == 2 else (
        "a convolution weight (out, in, kh, kw)" if len(shape) == 4 else f"a {len(shape)}-D convolution weight")
    return f"{kind} of shape {tuple(shape)}"


#: The fewest elements a statistical case may have: every check below then fails a correct solution with
#: probability at most 1e-9 (the tightest is the grid check, 0.77^n).
MIN_ELEMENTS = 4000


def _stat_case(prop, gen, shape, gain, dtype=torch.float32, meta_only=False):
    """Two calls on W of `shape` (`gain` None: left out of the call); `meta_only`: a small shape-only run on
    the meta device (a tensor made on a hard-coded device shows there without a GPU), never judged by statistics."""
    assert meta_only or math.prod(shape) >= MIN_ELEMENTS, shape
    W = torch.full(shape, FILL, dtype=dtype)
    spec = {"driver": "repeat", "function": "xavier_uniform_", "args": [W],
            "kwargs": {} if gain is None else {"gain": gain}, "times": 2, "seed": _seed(gen)}
    a = bound(shape, 1.0 if gain is None else gain)
    fan_in, fan_out = fans(shape)
    call_text = "W" if gain is None else f"W, gain={gain:g}"
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=compare_statistics, meta=meta_only,
                grader_data={"a": a},
                devices=("meta",) if meta_only else None,
                checks=tuple(c for c in STAT_CHECKS + ("fills in place", "shape", "dtype") if c != prop),
                function="xavier_uniform_", hint=HINTS[prop],
                label=f"2 calls of xavier_uniform_({call_text}) on {_shape_text(shape)} {str(dtype)[6:]} "
                      f"(fan_in = {fan_in}, fan_out = {fan_out}, so a = {a:.6g})")


def _structure_case(prop, gen, shape, gain, dtype=torch.float32, parameter=False):
    """A parameter that requires grad, filled once; or a plain tensor filled, then what was returned filled
    again (an error in a call fails the case's property, so each case tests one thing)."""
    W = torch.full(shape, FILL, dtype=dtype)
    call = {"call": "xavier_uniform_", "kwargs": {"gain": gain}, "compare_output": False}
    steps = [dict(call, args=[{"ref": "W"}], save="out", label="out = xavier_uniform_(W)")]
    if not parameter:
        steps.append(dict(call, args=[{"ref": "out"}], save="out2", label="out2 = xavier_uniform_(out)"))
    spec = {"driver": "steps", "env": {"W": W}, "leaves": ["W"] if parameter else [], "watch": ["W"],
            "seed": _seed(gen), "steps": steps}
    what = (f"W = nn.Parameter of {_shape_text(shape)} {str(dtype)[6:]} (requires grad)" if parameter
            else f"W = {_shape_text(shape)} {str(dtype)[6:]}, then again on what it returned")
    hint = ("fill the parameter under torch.no_grad() (an in-place change of a leaf that requires grad is refused "
            "otherwise), and return it" if parameter else
            "fill the tensor you are given in place (tensor.uniform_(-a, a)) and `return tensor`, the same object")
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=compare_structure, hint=hint,
                checks=("fills in place", "shape", "dtype"), function="xavier_uniform_",
                grader_data={"a": bound(shape, gain)},
                label=f"xavier_uniform_(W, gain={gain:g}) on {what}")


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        _structure_case("returns the same tensor", gen, (3, 4), 1.0),
        _structure_case("a parameter that requires grad", gen, (5, 3), 1.0, parameter=True),
        _structure_case("a parameter that requires grad", gen, (4, 2, 3, 3), 2.0, dtype=torch.float64,
                        parameter=True),
        _stat_case("the bound a", gen, (200, 100), 1.0),
        _stat_case("the bound a", gen, (64, 32, 3, 3), math.sqrt(2.0)),
        _stat_case("the bound a", gen, (40, 20, 5), 1.0),
        _stat_case("uniform distribution", gen, (100, 200), 5 / 3, dtype=torch.float64),
        _stat_case("fresh values every call", gen, (128, 64), 1.0),
        _stat_case("independent draws", gen, (32, 16, 5, 5), 1.0),
        _stat_case("the bound a", gen, (4, 3, 2, 2), 1.0, meta_only=True),
        _stat_case("the bound a", gen, (100, 60), None),  # gain left out: the default is 1
    ]


# --------------------------------------------------------------------------- the parent's checks

def _risk(p: float) -> str:
    text = f"{p:.0e}" if p >= 1e-300 else "1e-300"
    return f"(a correct xavier_uniform_ fails this check with probability below {text})"


def _resolution(dtype: torch.dtype) -> float:
    """A generous bound on the spacing of the representable values a sampler of [-1, 1] can produce."""
    return 2.0 ** -20 if dtype == torch.float32 else 2.0 ** -49


def _check_bound(x: torch.Tensor, a: float, dtype, call) -> list[tuple[str, str]]:
    """Every value in [-a, a]; the largest and the smallest within delta * a of the ends."""
    n = x.numel()
    slack = a * 4 * _resolution(dtype)
    top, low = float(x.max()), float(x.min())
    if top > a + slack or low < -a - slack:
        worst = top if abs(top) >= abs(low) else low
        return [("the bound a", f"{call}: a value of {worst:.6g} lies outside [-a, a] = [{-a:.6g}, {a:.6g}]")]
    # P(max < a(1 - d)) = (1 - d/2)^n, likewise for min: both ends together at most FALSE_FAILURE.
    d = 2 * -math.expm1(math.log(stats.FALSE_FAILURE / 2) / n)
    if top < a * (1 - d) - slack or low > -a * (1 - d) + slack:
        return [("the bound a", f"{call}: the values run from {low:.6g} to {top:.6g}, but {n} draws from "
                 f"U(-a, a) with a = {a:.6g} reach beyond +-{a * (1 - d):.6g} on both sides "
                 f"{_risk(stats.FALSE_FAILURE)}: the bound is too small")]
    return []


def _check_distribution(ordered: torch.Tensor, a: float, dtype, call) -> list[tuple[str, str]]:
    """Kolmogorov-Smirnov distance to U(-a, a) within the DKW bound (`ordered`: the values, sorted)."""
    n = ordered.numel()
    u = ((ordered + a) / (2 * a)).clamp(0, 1)
    ranks = torch.arange(1, n + 1, dtype=torch.float64)
    distance = float(torch.maximum(ranks / n - u, u - (ranks - 1) / n).max())
    # DKW holds for a continuous distribution; rounding to the dtype moves each value by at most its
    # resolution, which moves the distribution function by at most that much.
    eps = stats.dkw_epsilon(n) + _resolution(dtype)
    if distance > eps:
        return [("uniform distribution", f"{call}: the values' distribution function is {distance:.4f} away from "
                 f"that of U(-a, a) (Kolmogorov-Smirnov); {n} uniform draws stay within {eps:.4f} "
                 f"{_risk(stats.FALSE_FAILURE)}")]
    return []


def _check_fresh(x1: torch.Tensor, x2: torch.Tensor, dtype, call) -> list[tuple[str, str]]:
    """Two calls agree on at most half the elements. Independent draws agree on an element with
    probability p <= 2 * resolution, so agreeing on half of n has probability <= (4p)^(n/2)."""
    n = x1.numel()
    same = int((x1 == x2).sum())
    if same > n // 2:
        risk = math.exp(n / 2 * math.log(4 * 2 * _resolution(dtype)))
        return [("fresh values every call", f"{call}: two calls gave the same value in {same} of {n} elements "
                 f"{_risk(risk)}: every call must draw new random numbers")]
    return []


def _check_independent(x: torch.Tensor, ordered: torch.Tensor, a: float, dtype, call) -> list[tuple[str, str]]:
    """No element repeats its neighbour along a row or a column, and the sorted values are not a grid."""
    found = []
    rows = x.reshape(x.shape[0], -1)
    p = 2 * 2 * _resolution(dtype)
    for first, second, what in ((rows[:, :-1], rows[:, 1:], "its neighbour in the same row"),
                                (rows[:-1], rows[1:], "the element below it")):
        m = first.numel()
        same = int((first == second).sum())
        if same > m // 2:
            found.append(("independent draws", f"{call}: {same} of {m} elements equal {what} "
                          f"{_risk(math.exp(m / 2 * math.log(4 * p)))}: draw every element on its own"))
            return found
    # n iid uniform values: P(every gap between sorted values >= s) = (1 - (n - 1) s)^n (s relative to 2a);
    # rounding to the dtype's resolution r can widen a gap by at most r, so use s - r.
    n = x.numel()
    gaps = ordered.diff()
    s = 0.25 / (n - 1)
    r = _resolution(dtype)
    if float(gaps.min()) >= s * 2 * a:
        risk = math.exp(n * math.log1p(-(n - 1) * (s - r))) if (n - 1) * (s - r) < 1 else 0.0
        found.append(("independent draws", f"{call}: the {n} values are evenly spread (every gap between sorted "
                      f"values is at least {float(gaps.min()):.3g}) {_risk(risk)}: that is a fixed grid of values, "
                      "perhaps shuffled, not independent random draws"))
    return found


def _form(expected: torch.Tensor, actual, device: str, call: str, where: str) -> list[tuple[str, str]]:
    """Type, device, shape and dtype of a random result (its values are judged by statistics, never
    element by element against the reference's draw)."""
    if not isinstance(actual, SentTensor):
        return [("result type", f"{call}: {where} should be a tensor, got "
                 f"{'None' if actual is None else type(actual).__name__}; return the tensor you filled")]
    found = []
    if actual.device.split(":")[0] != device:
        found.append(("device", f"{call}: {where} is on {actual.device}, but W was on {device}"))
    if tuple(actual.tensor.shape) != tuple(expected.shape):
        found.append(("shape", f"{call}: {where} has shape {tuple(actual.tensor.shape)}, expected "
                      f"{tuple(expected.shape)} (W's own)"))
    elif actual.tensor.dtype != expected.dtype:
        found.append(("dtype", f"{call}: {where} has dtype {str(actual.tensor.dtype)[6:]}, expected "
                      f"{str(expected.dtype)[6:]} (W's own)"))
    return found


#: The properties judged by the statistics of the values.
STATISTICS = ("the bound a", "uniform distribution", "fresh values every call", "independent draws")


def compare_statistics(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    spec, call = case.spec, case.label
    if not isinstance(actual, dict) or type(actual.get("outputs")) is not list or \
            len(actual["outputs"]) != spec["times"]:
        return [("result type", f"{call}: the calls did not come back as expected")]
    found = []
    for i, out in enumerate(actual["outputs"]):
        found += _form(expected["outputs"][0], out, device, call, f"the result of call {i + 1}")
    changed = actual.get("changed") or []
    if device != "meta" and not all(c == [0] for c in changed):
        found.append(("fills in place", f"{call}: a call left W as it was: fill the tensor you are given, in "
                      "place (tensor.uniform_(-a, a) under torch.no_grad()), and return it"))
    if found or device == "meta":
        return found
    a, dtype = case.grader_data["a"], spec["args"][0].dtype
    xs = [o.tensor.to(torch.float64) for o in actual["outputs"]]
    # Every comparison with NaN is false: a NaN would make the maximum, the minimum and the
    # Kolmogorov-Smirnov distance NaN, and every check below pass.
    broken = next((i for i, x in enumerate(xs) if not bool(torch.isfinite(x).all())), None)
    if broken is not None:
        message = (f"{call}: the result of call {broken + 1} holds NaN or infinite values; draws from "
                   "U(-a, a) are finite numbers")
        return [(name, message) for name in STATISTICS]
    found += _check_bound(xs[0], a, dtype, call)
    ordered = xs[0].flatten().sort().values
    found += _check_distribution(ordered, a, dtype, call)
    found += _check_fresh(xs[0], xs[1], dtype, call)
    found += _check_independent(xs[0], ordered, a, dtype, call)
    return found


def compare_structure(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """After each call W is still the caller's tensor (for a parameter: a leaf that requires grad) and holds
    the values returned; a second call, on what the first returned, changes W again."""
    call, n = case.label, len(case.spec["steps"])
    if type(actual) is not list or len(actual) != n or not all(type(r) is dict for r in actual):
        return [("result type", f"{call}: the calls did not come back as expected")]
    found = []
    states = [(r.get("state") or {}).get("W") for r in actual]
    outs = [r.get("output") for r in actual]
    for k, (state, out) in enumerate(zip(states, outs)):
        if not isinstance(state, dict) or not isinstance(state.get("value"), SentTensor):
            return [("result type", f"{call}: W could not be read back after call {k + 1}")]
        if not isinstance(out, SentTensor):
            return [("returns the same tensor", f"{call}: call {k + 1} returned no tensor; return the tensor you "
                     "filled (`return tensor`)")]
        if not state.get("same_object") or (case.spec["leaves"] and not (state.get("is_leaf")
                                                                        and state.get("requires_grad"))):
            found.append(("a parameter that requires grad", f"{call}: after call {k + 1} W is no longer the "
                          "caller's leaf tensor that requires grad: fill it in place under torch.no_grad()"))
    found += _form(expected[0]["output"], outs[0], device, call, "the result of call 1")
    if found or device == "meta":
        return found
    W1 = states[0]["value"].tensor
    if bool((W1 == FILL).any()):
        found.append(("fills in place", f"{call}: after call 1, W still holds its old value {FILL:g} in "
                      f"{int((W1 == FILL).sum())} of {W1.numel()} elements: fill every element of the tensor "
                      "you are given, in place"))
    elif n == 1 and not torch.equal(W1, outs[0].tensor):
        found.append(("returns the same tensor", f"{call}: W does not hold the values the call returned: return "
                      "the tensor you filled, not a new one"))
    elif n > 1 and torch.equal(states[1]["value"].tensor, W1):
        found.append(("returns the same tensor", f"{call}: filling what call 1 returned did not refill W, so call "
                      "1 returned another tensor: return the very tensor you were given"))
    a = case.grader_data["a"]
    if not found and float(W1.abs().max()) > a * (1 + 1e-5):
        found.append(("the bound a", f"{call}: a value of W lies outside [-a, a] with a = {a:.6g}"))
    return found
