"""Grading kit for a training loop run by the `steps` driver: the nets it builds, the records it returns.

A grader whose case is a `kind="driver"` spec for the steps driver (gan_step today) builds
`nn.Sequential` nets from layer lists (`[["linear", 2, 3], ["tanh"], ...]`) with a drawn initial state,
names them in its labels, and reads back, per step, the call's output, every watched parameter and the
backward passes counted into a net. These are those parts, free of any one exercise.
"""

from __future__ import annotations

import math

import torch

from d2lcoach.grading.compare import compare_values
from d2lcoach.sandbox.runtime.wire import SentTensor

#: The layer names of a layer list, as nn.Sequential prints them.
_LAYER_NAMES = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU"}


def sequential_state(layers, gen: torch.Generator, dtype) -> dict:
    """Initial parameters drawn like PyTorch's default Linear init, keyed like nn.Sequential's."""
    state = {}
    for i, layer in enumerate(layers):
        if layer[0] == "linear":
            n_in, n_out = int(layer[1]), int(layer[2])
            bound = 1.0 / math.sqrt(n_in)
            state[f"{i}.weight"] = ((torch.rand(n_out, n_in, generator=gen, dtype=torch.float64) * 2 - 1)
                                    * bound).to(dtype)
            state[f"{i}.bias"] = ((torch.rand(n_out, generator=gen, dtype=torch.float64) * 2 - 1)
                                  * bound).to(dtype)
    return state


def sequential_text(layers) -> str:
    """A layer list as a label reads it: 'Linear(2, 3)-Tanh-Linear(3, 1)'."""
    parts = []
    for layer in layers:
        if layer[0] == "linear":
            parts.append(f"Linear({layer[1]}, {layer[2]})")
        else:
            parts.append(_LAYER_NAMES.get(layer[0], layer[0]))
    return "-".join(parts)


def sent_kind(x) -> str:
    """What a value sent back from the sandbox is, for a message: 'a tensor', 'a dict', 'None', ..."""
    if isinstance(x, SentTensor):
        return "a tensor"
    if isinstance(x, dict):
        return "a " + str(x.get("__object__") or x.get("__subclass__") or "object")
    if x is None:
        return "None"
    return f"a {type(x).__name__}"


def watched_steps(records, nets: tuple[str, ...], counted: str) -> list[dict] | None:
    """The steps driver's records as {output, params, backward_passes} per step, or None if malformed.

    params: every parameter of the watched `nets`, keyed "net.name"; backward_passes: the passes
    counted into the net `counted` in that step (None when not counted)."""
    if not isinstance(records, list):
        return None
    steps = []
    for record in records:
        state = record.get("state") if isinstance(record, dict) else None
        if not isinstance(state, dict):
            return None
        params = {}
        for net in nets:
            watched = state.get(net)
            if not isinstance(watched, dict) or not isinstance(watched.get("parameters"), dict):
                return None
            for name, seen in watched["parameters"].items():
                params[f"{net}.{name}"] = seen.get("value") if isinstance(seen, dict) else None
        passes = record.get("backward_passes")
        steps.append({"output": record.get("output"), "params": params,
                      "backward_passes": passes.get(counted) if isinstance(passes, dict) else None})
    return steps


def differing_parameters(want: dict, got: dict, rtol: float, atol: float) -> dict:
    """{name: Mismatch or None (missing / malformed)} for the parameters that differ after one step."""
    bad = {}
    for name, e in want.items():
        a = got.get(name)
        if not isinstance(a, SentTensor) or tuple(a.tensor.shape) != tuple(e.shape):
            bad[name] = None
            continue
        if a.tensor.device.type == "meta":
            continue
        mismatch = compare_values(e, a.tensor, rtol, atol)
        if mismatch is not None:
            bad[name] = mismatch
    return bad
