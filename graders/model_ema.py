"""Grader for model_ema (Polyak averaging as timm's ModelEmaV2 keeps it, beside D2L 12.6): ema_update over
several calls on the `steps` driver, with the EMA model and the model built by the driver (nn.Sequential
nets of Linear layers) and BatchNorm-like buffers registered on both by trusted `register_buffer` steps
(running_mean and running_var floating, num_batches_tracked int64), so every buffer is a tensor the
driver watches.

After every call: the EMA's parameters (the moving average, the same objects, still leaves with no graph),
its floating buffers (averaged), its integer buffer (copied, int64), the model (unchanged) and the call's
result (None). gamma = 0.3 shows a wrong weight at once, gamma = 0.01 over three calls an accumulation,
gamma = 0, 1 and 0.5 the ends; one EMA requires grad (an in-place update outside torch.no_grad() raises),
one is frozen as readers freeze theirs (outside no_grad it gains a graph); float64 keeps its precision.
"""

from __future__ import annotations

import dataclasses

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis
from d2lcoach.grading.training_steps import sequential_state, sequential_text
from d2lcoach.sandbox.runtime.wire import SentTensor

MOVING = "moving average"
FLOAT_BUFFERS = "floating buffers"
INT_BUFFERS = "integer buffers copied"
MODEL = "model unchanged"
FLOAT64 = "float64"
_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")

HINT = ("for every parameter and floating buffer, W_bar <- gamma * W + (1 - gamma) * W_bar (gamma weights the "
        "model: W_bar.mul_(1 - gamma).add_(W, alpha=gamma)); copy every integer buffer (W_bar.copy_(W)); in "
        "place, on ema_model's own tensors, inside torch.no_grad(); never write into model")

TIMM = ("this is timm's convention with decay = gamma: ema = decay * ema + (1 - decay) * model gives the model "
        "the weight 1 - gamma. Here gamma is the weight of the model, W_bar = gamma * W + (1 - gamma) * W_bar "
        "(readers' notes, Polyak averaging); timm's decay is 1 - gamma, so decay = 0.99 is gamma = 0.01")
SWAPPED = ("model changed: ema_update(ema_model, model, gamma) writes into its first argument, the EMA model, "
           "and only reads the second; were the two swapped?")
SKIPPED = ("the EMA's floating buffers (a BatchNorm's running_mean and running_var) did not move: they are not "
           "in parameters(). Average ema_model.buffers() (or every floating entry of state_dict()) too")
COPIED = ("the EMA's floating buffers were copied from the model: only the integer ones (num_batches_tracked) "
          "are copied; running_mean and running_var are averaged like the parameters")
INT_KEPT = ("num_batches_tracked kept the EMA's old count: every buffer that is not floating point is copied "
            "from the model, W_bar.copy_(W)")
INT_AVERAGED = ("num_batches_tracked is neither the model's count nor the EMA's old one: an integer buffer was "
                "averaged (and rounded); copy it from the model instead (W_bar.copy_(W) when not "
                "W_bar.dtype.is_floating_point)")
NO_GRAD = ("the EMA's parameters require grad, so autograd refuses to change them in place: do the whole update "
           "inside `with torch.no_grad():` (it records nothing, and the parameters stay leaves)")
INT_IN_PLACE = ("an integer buffer (num_batches_tracked, int64) cannot take a float in place: copy buffers "
                "that are not floating point (W_bar.copy_(W)) instead of averaging them")


# --------------------------------------------------------------------------- reading the records

def _value(x):
    x = x.get("value") if isinstance(x, dict) else x
    return x.tensor if isinstance(x, SentTensor) else x


def _first_update(records, case):
    """The watched state after the first ema_update call, or None when it cannot be read."""
    setup = case.grader_data["setup"]
    if type(records) is not list or len(records) <= setup or not isinstance(records[setup], dict):
        return None
    state = records[setup].get("state")
    return state if isinstance(state, dict) else None


def _params(state, name):
    net = state.get(name) if isinstance(state, dict) else None
    params = net.get("parameters") if isinstance(net, dict) else None
    return {k: _value(v) for k, v in params.items()} if isinstance(params, dict) else None


def _initial(case, net: str) -> dict:
    """A net's state before the updates, from the spec (the inputs sent into the sandbox): its
    parameters as built and the buffers registered by the setup steps."""
    env = case.spec["env"]
    return {**case.spec["build"][net]["state"], **{b: env[f"{net}.{b}"] for b in _BUFFERS if f"{net}.{b}" in env}}


def _gamma(case) -> float:
    """The first update's gamma, as the spec's first ema_update call passes it."""
    return case.spec["steps"][case.grader_data["setup"]]["args"][2]


def _near(got, want) -> bool:
    return (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor) and got.shape == want.shape and got.dtype.is_floating_point
            and bool(torch.allclose(got.double(), want.double(), rtol=1e-4, atol=1e-6)))


def _follows_timm(expected, actual, case) -> bool:
    """The EMA's parameters after the first call are gamma * W_bar + (1 - gamma) * W."""
    got = _params(_first_update(actual, case), "ema_model")
    gamma, ema, model = _gamma(case), _initial(case, "ema_model"), _initial(case, "model")
    if got is None or gamma == 0.5:
        return False
    return all(_near(got.get(k), gamma * ema[k].double() + (1 - gamma) * model[k].double())
               for k in case.grader_data["parameters"])


def _model_changed(expected, actual, case) -> bool:
    got = _params(_first_update(actual, case), "model")
    model = _initial(case, "model")
    return got is not None and not all(_near(got.get(k), model[k]) for k in case.grader_data["parameters"])


def _float_buffer(actual, case):
    state = _first_update(actual, case)
    return _value(state.get("ema_model.running_mean")) if state else None


def _buffers_skipped(expected, actual, case) -> bool:
    return not _model_changed(expected, actual, case) and _near(_float_buffer(actual, case),
                                                                  _initial(case, "ema_model").get("running_mean"))


def _buffers_copied(expected, actual, case) -> bool:
    return _gamma(case) != 1 and _near(_float_buffer(actual, case), _initial(case, "model").get("running_mean"))


def _count(actual, case, which):
    state = _first_update(actual, case)
    got = _value(state.get("ema_model.num_batches_tracked")) if state else None
    return (isinstance(got, torch.Tensor) and got.numel() == 1
            and "num_batches_tracked" in _initial(case, which)
            and int(got.item()) == int(_initial(case, which)["num_batches_tracked"]))


DIAGNOSES = (
    Diagnosis(hint=TIMM, when=_follows_timm, properties=(MOVING, FLOAT64, FLOAT_BUFFERS)),
    Diagnosis(hint=SWAPPED, when=_model_changed, properties=(MODEL, MOVING, FLOAT64)),
    Diagnosis(hint=SKIPPED, when=_buffers_skipped, properties=(FLOAT_BUFFERS, FLOAT64)),
    Diagnosis(hint=COPIED, when=_buffers_copied, properties=(FLOAT_BUFFERS, FLOAT64)),
    Diagnosis(hint=INT_KEPT, when=lambda e, a, c: not _model_changed(e, a, c) and _count(a, c, "ema_model"),
              properties=(INT_BUFFERS,)),
    Diagnosis(hint=INT_AVERAGED, when=lambda e, a, c: not (_model_changed(e, a, c) or _count(a, c, "model")
                                                           or _count(a, c, "ema_model")), properties=(INT_BUFFERS,)),
    Diagnosis(hint=NO_GRAD, error=r"leaf Variable that requires grad is being used in an in-place operation"),
    Diagnosis(hint=INT_IN_PLACE, error=r"can't be cast to the desired output type (Long|Int|Bool)"),
)


# --------------------------------------------------------------------------- comparing

def _groups(case: Case) -> list[tuple[tuple[str, ...], str]]:
    """Which watched names fail which property."""
    moving = FLOAT64 if case.property == FLOAT64 else MOVING
    floating = FLOAT64 if case.property == FLOAT64 else FLOAT_BUFFERS
    return [(("ema_model",), moving),
            (("ema_model.running_mean", "ema_model.running_var"), floating),
            (("ema_model.num_batches_tracked",), INT_BUFFERS),
            (("model",) + tuple(f"model.{b}" for b in _BUFFERS), MODEL)]


def _only(record, names):
    if not isinstance(record, dict):
        return record
    state = record.get("state")
    if not isinstance(state, dict):
        return record
    return dict(record, state={n: state[n] for n in names if n in state})


def compare_ema(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """The update calls only (not the trusted setup steps), each watched name as the property it shows."""
    setup = case.grader_data["setup"]
    if type(actual) is not list or len(actual) != len(expected):
        return driven.compare_steps(expected, actual, case, device)
    spec = dict(case.spec, steps=case.spec["steps"][setup:])
    found: dict[str, str] = {}
    for names, prop in _groups(case):
        sub = dataclasses.replace(case, property=prop, spec=spec)
        want = [_only(r, names) for r in expected[setup:]]
        got = [_only(r, names) for r in actual[setup:]]
        for check, message in driven.compare_steps(want, got, sub, device):
            found.setdefault(check, message)
    return list(found.items())


# --------------------------------------------------------------------------- building cases

def _buffers(gen, width: int, dtype, count: int) -> dict:
    return {"running_mean": (torch.randn(width, generator=gen, dtype=torch.float64) * 0.5).to(dtype),
            "running_var": (torch.rand(width, generator=gen, dtype=torch.float64) * 2 + 0.5).to(dtype),
            "num_batches_tracked": torch.tensor(count, dtype=torch.int64)}


def _ema_case(prop: str, gen: torch.Generator, layers: list, gammas: list, *, dtype=torch.float32,
              frozen: bool = False, meta: bool = False, buffers: bool = True, what: str = "") -> Case:
    width = int(layers[-1][2])
    name = str(dtype).replace("torch.", "")
    states = {"ema_model": sequential_state(layers, gen, dtype), "model": sequential_state(layers, gen, dtype)}
    names = _BUFFERS if buffers else ()
    # The model has counted more batches than its EMA copy: a count averaged and rounded matches neither.
    buffers = {"ema_model": _buffers(gen, width, dtype, 3), "model": _buffers(gen, width, dtype, 40 + len(gammas))}
    env = {f"{net}.{b}": buffers[net][b] for net in states for b in names}
    setup = [{"call": {"ref": net}, "method": "register_buffer", "args": [b, {"ref": f"{net}.{b}"}],
              "compare_output": False, "label": f"{net}.register_buffer({b!r}, ...)"}
             for net in states for b in names]
    if frozen:  # as readers freeze their EMA copy: for p in ema.parameters(): p.requires_grad_(False)
        setup.append({"call": {"ref": "ema_model"}, "method": "requires_grad_", "args": [False],
                      "compare_output": False, "label": "ema_model.requires_grad_(False)"})
    calls = [{"call": "ema_update", "args": [{"ref": "ema_model"}, {"ref": "model"}, g],
              "label": f"ema_update(ema_model, model, gamma={g:g})"} for g in gammas]
    spec = {"driver": "steps", "env": env,
            "build": {net: {"build": "sequential", "layers": layers, "state": state, "dtype": name}
                      for net, state in states.items()},
            "watch": ["ema_model", *(f"ema_model.{b}" for b in names), "model", *(f"model.{b}" for b in names)],
            "steps": setup + calls}
    gs = ", ".join(f"{g:g}" for g in gammas)
    label = (f"{len(gammas)} ema_update call{'s' if len(gammas) > 1 else ''} (gamma = {gs}{'; ' + what if what else ''})"
             f" on two {sequential_text(layers)} nets, {name}, "
             + (f"each with running_mean, running_var ({width},) and num_batches_tracked (int64) buffers"
                if names else "without buffers") + "; the EMA's parameters "
             f"{'frozen (requires_grad False)' if frozen else 'require grad'}")
    # What compare reads besides the spec: no value (the nets' first states are read from the spec).
    data = {"setup": len(setup), "parameters": list(states["model"])}
    checks = tuple(c for c in (MOVING, FLOAT_BUFFERS, INT_BUFFERS, MODEL, "same tensors updated",
                               "no graph through the update") if c != prop)
    if prop == FLOAT64:
        checks = tuple(c for c in checks if c not in (MOVING, FLOAT_BUFFERS))
    return Case(property=prop, args=(), kind="driver", spec=spec, label=label, compare=compare_ema,
                checks=checks, grader_data=data, meta=meta, hint=HINT)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        # The smallest counterexample: one call, a large gamma, so every wrong weight shows at once.
        _ema_case(MOVING, gen, [["linear", 2, 2]], [0.3], meta=True),
        # A model without buffers (an MLP): parameters alone.
        _ema_case(MOVING, gen, [["linear", 2, 3], ["tanh"], ["linear", 3, 1]], [0.1, 0.1], buffers=False),
        # The readers' gamma over three calls on a frozen EMA (outside no_grad it would gain a graph).
        _ema_case(MOVING, gen, [["linear", 3, 4], ["relu"], ["linear", 4, 2]], [0.01, 0.01, 0.01], frozen=True),
        # The ends: gamma = 0 leaves the EMA, gamma = 1 copies the model; then halfway.
        _ema_case(MOVING, gen, [["linear", 2, 3]], [0.0, 1.0, 0.5], what="0 keeps the EMA, 1 copies the model"),
        # float64 end to end, frozen: no float32 constant may round the average.
        _ema_case(FLOAT64, gen, [["linear", 3, 2], ["tanh"], ["linear", 2, 2]], [0.05, 0.2], dtype=torch.float64,
                  frozen=True),
    ]
