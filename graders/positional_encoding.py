"""Grader for positional_encoding (D2L 11.6): values of the interleaved sines and cosines, an odd
num_hiddens, the defaults (float32 on the CPU) and the dtype and device given."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

#: A float32 encoding computed in float32 (as the book does) differs from the correctly rounded one by
#: a few 1e-6 at the positions used here (num_steps <= 60); every realistic bug is off by O(1).
TOLERANCE = {torch.float32: (1e-4, 5e-5)}

HINTS = {
    "values": "P[i, 2j] = sin(i / 10000 ** (2j / num_hiddens)) and P[i, 2j + 1] = cos of the same angle, for the "
              "positions i = 0 .. num_steps - 1: angles = torch.arange(num_steps)[:, None] / "
              "10000 ** (torch.arange(0, num_hiddens, 2) / num_hiddens) (D2L 11.6)",
    "interleaved sines and cosines": "the sine and the cosine of one frequency sit side by side: P[:, 0::2] = "
                                     "sin(angles), P[:, 1::2] = cos(angles), not torch.cat([sin, cos], dim=1)",
    "odd num_hiddens": "with an odd num_hiddens there are num_hiddens // 2 + 1 sines and num_hiddens // 2 cosines: "
                       "P[:, 1::2] = torch.cos(angles[:, :num_hiddens // 2]); every column keeps the formula",
    "dtype and device": "create every tensor with dtype=dtype and device=device (or compute in float64 and finish "
                        "with .to(dtype)): a float64 result needs float64's precision, and without them the result "
                        "is float32 on the CPU",
}


def _plain(prop, num_steps, num_hiddens):
    """A call with the defaults: float32 on the CPU (so it runs on the CPU only)."""
    return Case(property=prop, function="positional_encoding", args=(num_steps, num_hiddens),
                label=f"positional_encoding({num_steps}, {num_hiddens})", devices=("cpu",), meta=False,
                tolerance=TOLERANCE, hint=HINTS[prop])


def _given(num_steps, num_hiddens, dtype=None, device=True):
    """A call passing dtype= and/or device= (the run's device), through the steps driver: neither a
    torch.dtype nor a torch.device travels as plain data, so the driver builds them."""
    build, kwargs, shown = {}, {}, []
    if dtype is not None:
        build["dtype"], kwargs["dtype"] = {"build": "dtype", "name": dtype}, {"ref": "dtype"}
        shown.append(f"dtype=torch.{dtype}")
    if device:
        build["device"], kwargs["device"] = {"build": "device"}, {"ref": "device"}
        shown.append("device=<the inputs' device>")
    label = f"positional_encoding({num_steps}, {num_hiddens}, {', '.join(shown)})"
    spec = {"driver": "steps", "build": build,
            "steps": [{"call": "positional_encoding", "args": [num_steps, num_hiddens], "kwargs": kwargs,
                       "label": label}]}
    return Case(property="dtype and device", args=(), kind="driver", spec=spec, compare=driven.compare_steps,
                function="positional_encoding", label=label, tolerance=TOLERANCE, hint=HINTS["dtype and device"],
                checks=("shape", "dtype", "device"),
                **({} if device else {"devices": ("cpu",), "meta": False}))


def make_cases(gen: torch.Generator) -> list[Case]:
    # Deterministic: the encoding has no random input, so every seed grades the same calls.
    cases = [_plain("values", 1, 2), _plain("values", 3, 4), _plain("values", 10, 8), _plain("values", 60, 32)]
    cases += [_plain("interleaved sines and cosines", 6, 8), _plain("interleaved sines and cosines", 20, 16)]
    cases += [_plain("odd num_hiddens", 4, 1), _plain("odd num_hiddens", 8, 3), _plain("odd num_hiddens", 12, 7)]
    cases += [_given(7, 6, "float64"), _given(9, 5, "float32"), _given(5, 8), _given(6, 4, "float64", device=False)]
    return cases
