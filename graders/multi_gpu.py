"""Grader for multi_gpu (D2L 13.5): split_batch as a plain call whose shards are checked device by device,
allreduce as a steps case over a list of tensors updated in place. Lists of CPU devices everywhere, and
lists that mix the CPU with a second device: CUDA where the grading machine has it, else the stand-in GPU
(npu, d2lcoach/sandbox/runtime/standin.py); those cases run on that device only. On a mixed list a
missing `.to(device)` raises (tensors on two devices) or leaves a shard or a sum on the wrong device."""

from __future__ import annotations

import dataclasses

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import STAND_IN, Case
from d2lcoach.sandbox.runtime.wire import SentTensor

_SPLIT_HINT = ("shard i is X.chunk(len(devices))[i].to(devices[i]) (ceil(n / k) rows, the last fewer); "
               "the same for y; return (X_shards, y_shards) (D2L 13.5)")
_REDUCE_HINT = ("add every data[i].to(data[0].device) into data[0][:], then copy data[0].to(data[i].device) "
                "into data[i][:]: in place, on the tensors the caller holds (D2L 13.5)")


def _same_device(got: str, want: str) -> bool:
    """`cuda` is `cuda:0` (and `npu` is `npu:0`: the parent need not know the stand-in's device type)."""
    def full(name: str) -> str:
        kind, _, index = name.partition(":")
        return kind if kind == "cpu" else f"{kind}:{index or 0}"
    return full(got) == full(want)


def compare_split(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """Two lists of shards: their number, each shard's device (devices[i]), shape, dtype and values."""
    devices = case.args[2]
    if type(actual) not in (list, tuple) or len(actual) != 2 or any(type(a) not in (list, tuple) for a in actual):
        return [("result type", f"{case.label}: should return (X_shards, y_shards), two lists of tensors")]
    found: dict[str, str] = {}
    on_cpu = dataclasses.replace(case, hint=_SPLIT_HINT)
    for name, want_shards, got_shards in zip(("X_shards", "y_shards"), expected, actual):
        if len(got_shards) != len(want_shards):
            found.setdefault(case.property, f"{case.label}: {name} has {len(got_shards)} shards, expected "
                             f"{len(want_shards)}, one per device. Hint: {_SPLIT_HINT}")
            continue
        for i, (want, got) in enumerate(zip(want_shards, got_shards)):
            where = f"{name}[{i}]"
            if isinstance(got, SentTensor) and not _same_device(got.device, devices[i]):
                found.setdefault("device", f"{case.label}: {where} is on {got.device}, expected devices[{i}] = "
                                 f"{devices[i]!r}: move each shard with .to(devices[i])")
                continue
            got = SentTensor(got.tensor, "cpu") if isinstance(got, SentTensor) else got
            for check, message in driven.compare_plain(want.cpu(), got, on_cpu, "cpu", where):
                found.setdefault(check, message)
    return list(found.items())


def _split_case(gen, n: int, devices: list, dtype=torch.float32, run_on: str = "cpu") -> Case:
    X = torch.randn(n, 2, 3, generator=gen, dtype=torch.float64).to(dtype)
    y = torch.randint(0, 10, (n,), generator=gen)
    return Case(property="shards", args=(X, y, devices), function="split_batch", names=("X", "y", "devices"),
                label=f"split_batch(X, y, devices={devices!r}) with X of shape ({n}, 2, 3)",
                compare=compare_split, checks=("device",), devices=(run_on,), meta=False, hint=_SPLIT_HINT)


def _reduce_case(gen, k: int, shape: tuple, dtype=torch.float32) -> Case:
    data = [torch.randn(*shape, generator=gen, dtype=torch.float64).to(dtype) for _ in range(k)]
    # "the caller's data": the tensors as the caller holds them, so rebinding data[i] to the sum fails.
    spec = {"driver": "steps", "env": {"data": data}, "held": {"the caller's data": "data"},
            "watch": ["data", "the caller's data"],
            "steps": [{"call": "allreduce", "args": [{"ref": "data"}], "label": "allreduce(data)",
                       "compare_output": False}]}
    return Case(property="sum in place", args=(), function="allreduce", kind="driver", spec=spec,
                compare=driven.compare_steps, checks=("same tensors updated",), devices=("cpu",), meta=False,
                label=f"allreduce(data), data = {k} tensors of shape {tuple(shape)}", hint=_REDUCE_HINT)


def compare_spread(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """allreduce over tensors on several devices (spec `spread`): after the call each tensor is still on
    its own device; then the values, as `driven.compare_steps` judges them."""
    where = [device if d == "run" else d for d in case.spec["spread"]["data"]]
    found: dict[str, str] = {}
    for step in actual if type(actual) is list else []:
        state = step.get("state") if type(step) is dict else None
        for name in case.spec["watch"]:
            items = state.get(name) if type(state) is dict else None
            for i, item in enumerate(items if type(items) is list else []):
                got = item.get("value") if type(item) is dict else None
                if not isinstance(got, SentTensor) or i >= len(where):
                    continue
                if not _same_device(got.device, where[i]):
                    found.setdefault("device", f"{case.label}: afterwards data[{i}] is on {got.device}, expected "
                                     f"{where[i]}, where the caller put it. Hint: {_REDUCE_HINT}")
                item["value"] = SentTensor(got.tensor, device)  # its values are judged next
    for check, message in driven.compare_steps(expected, actual, case, device):
        found.setdefault(check, message)
    return list(found.items())


def _spread_case(gen, where: list, shape: tuple) -> Case:
    """allreduce on tensors spread over the stand-in GPU ("run") and the CPU, run on the stand-in."""
    case = _reduce_case(gen, len(where), shape)
    case.spec["spread"] = {"data": list(where)}
    shown = [STAND_IN if d == "run" else d for d in where]
    return dataclasses.replace(case, devices=(STAND_IN,), compare=compare_spread,
                               checks=("same tensors updated", "device"),
                               label=f"allreduce(data), data = {len(where)} tensors of shape {tuple(shape)} "
                                     f"on devices {shown}")


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = [
        _split_case(gen, 4, ["cpu"]),
        _split_case(gen, 6, ["cpu", "cpu"]),
        _split_case(gen, 7, ["cpu", "cpu", "cpu"]),          # chunk: 3, 3, 1 (tensor_split: 3, 2, 2)
        _split_case(gen, 10, ["cpu", "cpu", "cpu", "cpu"], torch.float64),
        _reduce_case(gen, 1, (2, 3)),
        _reduce_case(gen, 2, (2, 3)),
        _reduce_case(gen, 3, (4,)),
        _reduce_case(gen, 4, (2, 2, 2), torch.float64),
    ]
    if torch.cuda.is_available():  # the same on every seed of this machine: no number is drawn for it
        cases.append(_split_case(torch.Generator().manual_seed(0), 5, ["cuda:0", "cpu", "cuda:0"], run_on="cuda"))
    else:  # the stand-in GPU: data[1] and data[-1] on the CPU, so no other entry's device passes for data[0]'s
        fixed = torch.Generator().manual_seed(0)
        cases.append(_split_case(fixed, 5, [f"{STAND_IN}:0", "cpu", f"{STAND_IN}:0"], run_on=STAND_IN))
        cases.append(_spread_case(fixed, ["run", "cpu", "run", "cpu"], (2, 3)))
    return cases
