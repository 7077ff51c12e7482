"""Grader for fedavg (federated averaging, McMahan et al. 2017, beside D2L 13.5): one fedavg call per case on
the `steps` driver, with the global model built by the driver (an nn.Sequential net of Linear layers) and
BatchNorm-like buffers registered on it by trusted `register_buffer` steps (running_mean and running_var
floating, num_batches_tracked int64), so every entry of its state_dict is a tensor the driver watches. The
clients' states are plain dicts of tensors with the same keys.

After the call: the global model's parameters (the weighted average, the same objects, still leaves with no
graph), its floating buffers (averaged), its integer buffer (the count of the first client with the most
samples), the clients' states (unchanged: sent as literal inputs, so a change in place fails `no mutation`)
and the call's result (None). The largest client is the last one, a middle one, and tied with a later one;
one case's client tensors require grad and its global model is frozen (outside no_grad it gains a graph);
float64 keeps its precision.

Keys that differ are not graded: the steps driver reports any exception a call raises as a failure, so a
ValueError the contract would expect cannot be graded without an engine change (docs/contracts/fedavg.md).
"""

from __future__ import annotations

import dataclasses

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis
from d2lcoach.grading.training_steps import sequential_state, sequential_text
from d2lcoach.sandbox.runtime.wire import SentTensor

WEIGHTED = "weighted average"
FLOAT_BUFFERS = "floating buffers averaged"
INT_BUFFERS = "integer buffers from the largest client"
FLOAT64 = "float64"
NO_GRAPH = "no graph through the update"
_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")
_COUNT = "num_batches_tracked"

HINT = ("for every floating entry of global_model.state_dict(), W.copy_(sum(n_k / n * state_k[name])) with "
        "n = sum(num_samples); copy every integer entry from the first client with the most samples "
        "(num_samples.index(max(num_samples))); in place, on global_model's own tensors, inside torch.no_grad()")

UNWEIGHTED = ("the global model is the plain mean of the clients' states: FedAvg weights client k by its "
              "share of the examples, n_k / sum(num_samples), so a client with more data counts for more")
UNNORMALISED = ("the global model is sum_k n_k * W_k: the weights are the sample counts themselves; divide "
                "each by their sum, n_k / sum(num_samples), so that they add up to 1")
SKIPPED = ("the global model's floating buffers (a BatchNorm's running_mean and running_var) did not move: "
           "they are not in parameters(). Average every floating entry of global_model.state_dict()")
FLOAT32 = ("the float64 average is only float32-close: a weight or a sum was made in float32 (a "
           "torch.tensor(num_samples, dtype=torch.float32), say); keep the states' dtype, or use Python "
           "floats n_k / n")
INT_KEPT = ("num_batches_tracked kept the global model's old count: every entry that is not floating point "
            "is taken from the client with the most samples, W.copy_(client_states[k][name])")
INT_AVERAGED = ("num_batches_tracked is no client's count: an integer buffer was averaged (and rounded); take "
                "it whole from the first client with the most samples instead")
INT_WRONG = ("num_batches_tracked was taken from another client than the first one with the most samples: "
             "the count comes from the client with the largest n_k, the first of them on a tie "
             "(num_samples.index(max(num_samples)); a loop that keeps the last on >= picks the wrong one)")
NO_GRAD = ("the global model's parameters require grad, so autograd refuses to change them in place: do the "
           "whole update inside `with torch.no_grad():` (it records nothing, and the parameters stay leaves)")
INT_IN_PLACE = ("an integer buffer (num_batches_tracked, int64) cannot take a float in place: take entries "
                "that are not floating point whole from one client (W.copy_(state[name])) instead of "
                "averaging them")


# --------------------------------------------------------------------------- reading the spec and records

def _value(x):
    x = x.get("value") if isinstance(x, dict) else x
    return x.tensor if isinstance(x, SentTensor) else x


def _call(case) -> dict:
    return case.spec["steps"][case.grader_data["setup"]]


def _clients(case) -> list[dict]:
    """The clients' states as the spec's fedavg call passes them (a ref read back from the spec's env)."""
    env = case.spec["env"]
    return [{k: env[v["ref"]] if isinstance(v, dict) else v for k, v in state.items()}
            for state in _call(case)["args"][1]]


def _counts(case) -> list[int]:
    return list(_call(case)["args"][2])


def _initial(case) -> dict:
    """The global model's state before the call, from the spec: its parameters as built and the buffers
    registered by the setup steps."""
    env = case.spec["env"]
    return {**case.spec["build"]["global_model"]["state"],
            **{b: env[f"global_model.{b}"] for b in _BUFFERS if f"global_model.{b}" in env}}


def _after(records, case):
    """The watched state after the fedavg call, or None when it cannot be read."""
    setup = case.grader_data["setup"]
    if type(records) is not list or len(records) <= setup or not isinstance(records[setup], dict):
        return None
    state = records[setup].get("state")
    return state if isinstance(state, dict) else None


def _params(actual, case):
    net = (_after(actual, case) or {}).get("global_model")
    params = net.get("parameters") if isinstance(net, dict) else None
    return {k: _value(v) for k, v in params.items()} if isinstance(params, dict) else None


def _near(got, want, rtol=1e-4, atol=1e-6) -> bool:
    return (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor) and got.shape == want.shape
            and got.dtype.is_floating_point
            and bool(torch.allclose(got.double(), want.double(), rtol=rtol, atol=atol)))


def _combined(case, name, weights) -> torch.Tensor:
    return sum(w * state[name].double() for state, w in zip(_clients(case), weights))


def _parameters_are(actual, case, weights, **tol) -> bool:
    got = _params(actual, case)
    return got is not None and all(_near(got.get(k), _combined(case, k, weights), **tol)
                                   for k in case.grader_data["parameters"])


def _unweighted(expected, actual, case) -> bool:
    counts = _counts(case)
    return len(set(counts)) > 1 and _parameters_are(actual, case, [1 / len(counts)] * len(counts))


def _unnormalised(expected, actual, case) -> bool:
    return _parameters_are(actual, case, [float(n) for n in _counts(case)])


def _float32_close(expected, actual, case) -> bool:
    counts = _counts(case)
    return _parameters_are(actual, case, [n / sum(counts) for n in counts], rtol=1e-5, atol=1e-7)


def _buffer(actual, case, name):
    state = _after(actual, case)
    return _value(state.get(f"global_model.{name}")) if state else None


def _buffers_skipped(expected, actual, case) -> bool:
    return "running_mean" in _initial(case) and _near(_buffer(actual, case, "running_mean"),
                                                      _initial(case)["running_mean"], rtol=0, atol=0)


def _count_got(actual, case):
    got = _buffer(actual, case, _COUNT)
    return int(got.item()) if isinstance(got, torch.Tensor) and got.numel() == 1 and _COUNT in _initial(case) \
        else None


def _count_kept(expected, actual, case) -> bool:
    got = _count_got(actual, case)
    return got is not None and got == int(_initial(case)[_COUNT])


def _client_counts(case) -> list[int]:
    return [int(state[_COUNT]) for state in _clients(case)]


def _count_averaged(expected, actual, case) -> bool:
    got = _count_got(actual, case)
    return got is not None and got not in _client_counts(case) and got != int(_initial(case)[_COUNT])


def _count_wrong_client(expected, actual, case) -> bool:
    got = _count_got(actual, case)
    return got is not None and got in _client_counts(case)


DIAGNOSES = (
    Diagnosis(hint=UNWEIGHTED, when=_unweighted, properties=(WEIGHTED, FLOAT64)),
    Diagnosis(hint=UNNORMALISED, when=_unnormalised, properties=(WEIGHTED, FLOAT64)),
    Diagnosis(hint=FLOAT32, when=_float32_close, properties=(FLOAT64,)),
    Diagnosis(hint=SKIPPED, when=_buffers_skipped, properties=(FLOAT_BUFFERS, FLOAT64)),
    Diagnosis(hint=INT_KEPT, when=_count_kept, properties=(INT_BUFFERS,)),
    Diagnosis(hint=INT_AVERAGED, when=_count_averaged, properties=(INT_BUFFERS,)),
    Diagnosis(hint=INT_WRONG, when=_count_wrong_client, properties=(INT_BUFFERS,)),
    Diagnosis(hint=NO_GRAD, error=r"leaf Variable that requires grad is being used in an in-place operation"),
    Diagnosis(hint=INT_IN_PLACE, error=r"can't be cast to the desired output type (Long|Int|Bool)"),
)


# --------------------------------------------------------------------------- comparing

def _groups(case: Case) -> list[tuple[tuple[str, ...], str]]:
    """Which watched names fail which property."""
    averaged = FLOAT64 if case.property == FLOAT64 else WEIGHTED
    floating = FLOAT64 if case.property == FLOAT64 else FLOAT_BUFFERS
    return [(("global_model",), averaged),
            (("global_model.running_mean", "global_model.running_var"), floating),
            (("global_model.num_batches_tracked",), INT_BUFFERS)]


def _only(record, names):
    if not isinstance(record, dict):
        return record
    state = record.get("state")
    if not isinstance(state, dict):
        return record
    return dict(record, state={n: state[n] for n in names if n in state})


def compare_fedavg(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """The fedavg call only (not the trusted setup steps), each watched name as the property it shows."""
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
            _COUNT: torch.tensor(count, dtype=torch.int64)}


def _sample_counts(gen, clients: int, largest: int, tie: int | None) -> list[int]:
    """Distinct counts below 40 with the largest (40 to 79) at `largest`, and at `tie` too if given;
    their sum is never a power of two, so n_k / n is no float32 number."""
    while True:
        counts = (torch.randperm(39, generator=gen)[:clients] + 1).tolist()
        top = 40 + int(torch.randint(40, (1,), generator=gen))
        counts[largest] = top
        if tie is not None:
            counts[tie] = top
        total = sum(counts)
        if total & (total - 1):
            return counts


def _batch_counts(gen, counts: list[int]) -> list[int]:
    """Each client's num_batches_tracked: distinct, none of them the global model's (0 to 4), and the
    samples-weighted average (rounded or truncated) none of them either."""
    while True:
        batches = (torch.randperm(90, generator=gen)[:len(counts)] + 10).tolist()
        mean = sum(n * b for n, b in zip(counts, batches)) / sum(counts)
        if not {int(mean), round(mean), int(mean) + 1} & set(batches):
            return batches


def _fedavg_case(prop: str, gen: torch.Generator, layers: list, clients: int, largest: int, *,
                 tie: int | None = None, dtype=torch.float32, frozen: bool = False, leaves: bool = False,
                 meta: bool = False) -> Case:
    width = int(layers[-1][2])
    name = str(dtype).replace("torch.", "")
    counts = _sample_counts(gen, clients, largest, tie)
    batches = _batch_counts(gen, counts)
    state = sequential_state(layers, gen, dtype)
    own = _buffers(gen, width, dtype, int(torch.randint(5, (1,), generator=gen)))
    env = {f"global_model.{b}": own[b] for b in _BUFFERS}
    states = [{**{b: v for b, v in _buffers(gen, width, dtype, n_b).items()},
               **sequential_state(layers, gen, dtype)} for n_b in batches]
    # The clients' dicts in the global model's state_dict order: its own buffers first, then the layers'.
    states = [{k: s[k] for k in (*_BUFFERS, *state)} for s in states]
    setup = [{"call": {"ref": "global_model"}, "method": "register_buffer", "args": [b, {"ref": f"global_model.{b}"}],
              "compare_output": False, "label": f"global_model.register_buffer({b!r}, ...)"} for b in _BUFFERS]
    if frozen:  # as a server that never trains the global model itself might freeze it
        setup.append({"call": {"ref": "global_model"}, "method": "requires_grad_", "args": [False],
                      "compare_output": False, "label": "global_model.requires_grad_(False)"})
    spec_leaves = []
    if leaves:  # the clients' tensors as dict(client.named_parameters()) would give them: requiring grad
        for k, s in enumerate(states):
            for key, t in s.items():
                env[f"client{k}.{key}"] = t
                if t.is_floating_point():
                    spec_leaves.append(f"client{k}.{key}")
        args_states = [{key: {"ref": f"client{k}.{key}"} for key in s} for k, s in enumerate(states)]
    else:
        args_states = states
    call = {"call": "fedavg", "args": [{"ref": "global_model"}, args_states, counts],
            "label": f"fedavg(global_model, client_states, num_samples={counts})"}
    spec = {"driver": "steps", "env": env, "leaves": spec_leaves,
            "build": {"global_model": {"build": "sequential", "layers": layers, "state": state, "dtype": name}},
            "watch": ["global_model", *(f"global_model.{b}" for b in _BUFFERS)],
            "steps": [*setup, call]}
    label = (f"fedavg of {clients} clients (num_samples = {counts}, num_batches_tracked = {batches}) into a "
             f"{sequential_text(layers)} net, {name}, with running_mean, running_var ({width},) and "
             f"num_batches_tracked (int64) buffers; its parameters "
             f"{'frozen (requires_grad False)' if frozen else 'require grad'}"
             + ("; the clients' floating tensors require grad" if leaves else ""))
    # What compare reads besides the spec: no value (the states and counts are read from the spec).
    data = {"setup": len(setup), "parameters": list(state)}
    checks = tuple(c for c in (WEIGHTED, FLOAT_BUFFERS, INT_BUFFERS, "same tensors updated", NO_GRAPH,
                               "no mutation") if c != prop)
    if prop == FLOAT64:
        checks = tuple(c for c in checks if c not in (WEIGHTED, FLOAT_BUFFERS))
    return Case(property=prop, args=(), kind="driver", spec=spec, label=label, compare=compare_fedavg,
                checks=checks, grader_data=data, meta=meta, hint=HINT)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        # The smallest counterexample: two clients, the larger one last, so every wrong weight shows at once.
        _fedavg_case(WEIGHTED, gen, [["linear", 2, 2]], 2, 1, meta=True),
        # Three clients, the largest in the middle (neither the first nor the last one's count).
        _fedavg_case(WEIGHTED, gen, [["linear", 3, 4], ["relu"], ["linear", 4, 2]], 3, 1),
        # A tie for the most samples: the count of the first of the two, not the later one.
        _fedavg_case(INT_BUFFERS, gen, [["linear", 2, 3]], 3, 0, tie=2),
        # Clients' tensors that require grad and a frozen global model: outside no_grad it gains a graph.
        _fedavg_case(NO_GRAPH, gen, [["linear", 2, 3], ["tanh"], ["linear", 3, 1]], 4, 2, frozen=True,
                     leaves=True),
        # float64 end to end: no float32 weight may round the average.
        _fedavg_case(FLOAT64, gen, [["linear", 3, 2], ["tanh"], ["linear", 2, 2]], 3, 0, dtype=torch.float64),
    ]
