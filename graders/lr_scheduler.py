"""Grader for lr_scheduler (D2L 12.11): pure-Python floats over a sequence of calls (the `steps` driver):
the factor schedule call after call, the cosine's warm-up, cosine and constant phases, out-of-order calls."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

_TOLERANCE = {torch.float64: (1e-9, 1e-12)}
_PHASES = ("warm-up", "cosine", "after max_update")


def _uniform(gen, lo, hi) -> float:
    return round(lo + (hi - lo) * float(torch.rand((), generator=gen, dtype=torch.float64)), 4)


def _schedule_case(prop, cls, kwargs, epochs, phase_of=None, hint=""):
    args_text = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    steps = [{"call": cls, "kwargs": kwargs, "save": "scheduler", "compare_output": False,
              "label": f"scheduler = {cls}({args_text})"}]
    for t in epochs:
        steps.append({"call": {"ref": "scheduler"}, "args": [t], "label": f"scheduler({t})",
                      "property": phase_of(t) if phase_of else prop})
    order = "in order" if list(epochs) == sorted(epochs) else "out of order"
    return Case(property=prop, args=(), kind="driver", spec={"driver": "steps", "steps": steps},
                compare=driven.compare_steps,
                checks=tuple(p for p in ((*_PHASES,) if phase_of else ()) if p != prop),
                devices=("cpu",), meta=False, tolerance=_TOLERANCE, hint=hint,
                label=f"{cls}({args_text}), then scheduler(t) for t = {_epochs_text(epochs)} ({order})")


def _epochs_text(epochs) -> str:
    epochs = list(epochs)
    if epochs == list(range(epochs[0], epochs[-1] + 1)) and len(epochs) > 3:
        return f"{epochs[0]}..{epochs[-1]}"
    return ", ".join(map(str, epochs))


def _cosine(gen, max_update, warmup_steps, extra, shuffle=False):
    kwargs = {"max_update": max_update, "base_lr": _uniform(gen, 0.1, 0.5), "final_lr": _uniform(gen, 0.0, 0.05),
              "warmup_steps": warmup_steps, "warmup_begin_lr": _uniform(gen, 0.0, 0.05) if warmup_steps else 0}
    epochs = list(range(0, max_update + extra))
    if shuffle:
        epochs = [epochs[int(i)] for i in torch.randperm(len(epochs), generator=gen)]

    def phase_of(t):
        return "warm-up" if t < warmup_steps else "cosine" if t <= max_update else "after max_update"
    first = phase_of(min(epochs)) if not shuffle else "after max_update"
    return _schedule_case(first, "CosineScheduler", kwargs, epochs, phase_of,
                          hint="warm-up: warmup_begin_lr + (base_lr - warmup_begin_lr) * epoch / warmup_steps; "
                               "cosine: final_lr + (base_lr - final_lr) * (1 + cos(pi * (epoch - warmup_steps) / "
                               "(max_update - warmup_steps))) / 2; final_lr after max_update (D2L 12.11)")


def make_cases(gen: torch.Generator) -> list[Case]:
    factor = _uniform(gen, 0.5, 0.95)
    cases = [
        _schedule_case("factor", "FactorScheduler", {"factor": factor, "stop_factor_lr": 0.01, "base_lr": 0.1},
                       list(range(8)), hint="each call: base_lr = max(stop_factor_lr, base_lr * factor); "
                                            "return it (D2L 12.11)"),
        _schedule_case("factor", "FactorScheduler", {"factor": 0.9, "stop_factor_lr": 1e-2, "base_lr": 1.0},
                       list(range(50)), hint="floor the rate at stop_factor_lr: max(stop_factor_lr, ...)"),
        # The defaults the contract names: factor=1 keeps the rate; an int base_lr still gives floats.
        _schedule_case("factor", "FactorScheduler", {"base_lr": 1}, list(range(3)),
                       hint="the defaults are factor=1, stop_factor_lr=1e-7; the book's code returns base_lr as given "
                            "(an int for base_lr=1), but a learning rate is a float, as every other call returns "
                            "one: return float(self.base_lr)"),
        # base_lr=0.1 and stop_factor_lr=1e-7 by default: 0.1 * 0.5 ** 20 is below the floor.
        _schedule_case("factor", "FactorScheduler", {"factor": 0.5}, list(range(24)),
                       hint="the defaults are stop_factor_lr=1e-7 and base_lr=0.1 (D2L 12.11)"),
        _cosine(gen, 10, 0, 3),
        _cosine(gen, 12, 4, 3),
        _cosine(gen, 20, 5, 5, shuffle=True),
        # The defaults: final_lr=0 and warmup_begin_lr=0 are ints, the results must still be floats.
        _schedule_case("after max_update", "CosineScheduler", {"max_update": 8, "base_lr": 0.1}, list(range(12)),
                       lambda t: "cosine" if t <= 8 else "after max_update",
                       hint="past max_update return final_lr as a float: float(self.final_lr); the book's code returns "
                            "final_lr as given, and its default 0 is an int, while every other call returns a float"),
    ]
    # base_lr=0.01 and warmup_begin_lr=0 by default, with a warm-up.
    cases.append(_schedule_case("warm-up", "CosineScheduler", {"max_update": 10, "warmup_steps": 4}, list(range(12)),
                                lambda t: "warm-up" if t < 4 else "cosine" if t <= 10 else "after max_update",
                                hint="the defaults are base_lr=0.01, final_lr=0, warmup_begin_lr=0 (D2L 12.11)"))
    # The book's own figure: CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01), epochs 0..29.
    cases.append(_schedule_case("cosine", "CosineScheduler", {"max_update": 20, "base_lr": 0.3, "final_lr": 0.01},
                                list(range(30)), lambda t: "cosine" if t <= 20 else "after max_update"))
    return cases
