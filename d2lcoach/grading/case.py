"""What a grader declares: the cases to run, and the property of the contract each one tests."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import torch

#: Default tolerances per dtype: (rtol, atol). Loose enough that no correct solution fails on an
#: unlucky seed (float32 sums of a few hundred terms), tight enough to catch a wrong formula.
TOLERANCES = {
    torch.float32: (1e-4, 1e-5),
    torch.float64: (1e-9, 1e-11),
}

Path = tuple  # a path into the arguments, e.g. (0,) for args[0], (2, 3) for args[2][3]


#: The stand-in GPU of a grader without CUDA (d2lcoach/sandbox/runtime/standin.py), as devices name it.
STAND_IN = "npu"


@dataclasses.dataclass
class Case:
    """One input the submission is called on, and how to judge what comes back.

    property: the line of the contract this case tests; a value mismatch fails the check of this name.
    args/kwargs: the call's inputs (CPU tensors; the engine moves them to each device).
    grad: argument paths that gradients must reach (checked on a second call with requires_grad).
    grad_outputs: for each tensor of the output (flattened), the upstream gradient or None.
    label: how to show the call, e.g. "softmax(X, dim=1)"; names: what to call each argument.
    meta: also run on the meta device (shape, dtype and device only) when a user names it (--device meta).
    devices: the devices the case runs on (of those graded); default all. A case for the stand-in GPU
        alone names STAND_IN; its arguments may then name that device too (the reference runs on it).
    compare: optional custom comparison (expected, actual, case, device) -> list of (check, message);
        `checks` names the other checks it verifies.
    exact_containers: with `driven.compare_plain` (and the steps driver), a tuple and a list are not
        interchangeable and a dict's keys must come in the reference's order. Set it where the contract
        fixes the container (bpe's pair is a tuple; its merged dict keeps the tokens' order).
    tolerance: (rtol, atol) per dtype, overriding TOLERANCES.
    kind/spec: "call" (the default: one call on args/kwargs) or "driver", where `spec` is the plain-data
        spec of a standard driver (sandbox/runtime/drivers.py: steps, module, repeat) that runs the
        same way on the reference and on the submission; see docs/writing-a-grader.md, "Kinds".
    requires: properties this case's property builds on (a block's masking on its plain values): while
        one of them fails on a device, this case's failure there is shown after it, without its hint.
    grader_data: what only the grader's `compare` reads (a bound, a threshold it judges by): it stays in
        the trusted parent, where `spec` and `args` are sent into the sandbox, so it never goes there.
    """

    property: str
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    function: str | None = None
    grad: tuple = ()
    grad_outputs: list | None = None
    label: str = ""
    names: tuple[str, ...] = ()
    meta: bool = True
    devices: tuple[str, ...] | None = None
    compare: Callable[[Any, Any, "Case"], str | None] | None = None
    tolerance: dict | None = None
    hint: str = ""
    kind: str = "call"
    spec: dict | None = None
    checks: tuple[str, ...] = ()  # with `compare`: the other checks it verifies (on real devices)
    grader_data: dict = dataclasses.field(default_factory=dict)
    exact_containers: bool = False  # tuple is not list, dict key order counts (driven.compare_plain)
    requires: tuple[str, ...] = ()

    def tolerances(self, dtype: torch.dtype) -> tuple[float, float]:
        if self.tolerance and dtype in self.tolerance:
            return self.tolerance[dtype]
        return TOLERANCES.get(dtype, (1e-4, 1e-5))

    def size(self) -> int:
        """How big the case is, to report the smallest counterexample first."""
        total = 0

        def walk(x):
            nonlocal total
            if isinstance(x, torch.Tensor):
                total += x.numel()
            elif isinstance(x, (tuple, list)):
                for v in x:
                    walk(v)
            elif isinstance(x, dict):
                for v in x.values():
                    walk(v)
            elif isinstance(x, (int, float)) and counting_numbers:
                total += 1  # a driver's spec: pure-Python inputs count too
        counting_numbers = False
        walk(self.args)
        walk(self.kwargs)
        if self.spec:
            counting_numbers = True
            walk(self.spec)
        return total
