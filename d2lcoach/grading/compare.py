"""Tensor comparison that explains itself: where the worst element is, by how much, and what was expected."""

from __future__ import annotations

import dataclasses
import re
import threading

import torch

_PRINT_LOCK = threading.Lock()
_PRINT = dict(precision=4, threshold=64, edgeitems=3, linewidth=100, sci_mode=None)


def show(t, precision: int = 4) -> str:
    """A compact, stable rendering of a small tensor (or any value) for messages."""
    if not isinstance(t, torch.Tensor):
        return repr(t)
    if t.device.type == "meta":
        return f"<meta tensor of shape {tuple(t.shape)}>"
    with _PRINT_LOCK:  # print options are global: threads grading in parallel take turns
        old = torch._tensor_str.PRINT_OPTS
        saved = dict(precision=old.precision, threshold=old.threshold, edgeitems=old.edgeitems,
                     linewidth=old.linewidth, sci_mode=old.sci_mode)
        torch.set_printoptions(**dict(_PRINT, precision=precision))
        try:
            text = repr(t.detach().cpu())
        finally:
            torch.set_printoptions(**saved)
    text = text.replace("tensor(", "", 1)
    if text.endswith(")"):
        text = text[:-1]
    text = re.sub(r",\s*dtype=torch\.(float64|int64)", "", text)
    return " ".join(text.split()) if t.numel() <= 8 else text


def shape_str(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


@dataclasses.dataclass
class Mismatch:
    index: tuple
    expected: float
    actual: float
    abs_error: float
    rel_error: float
    count: int
    total: int
    #: a float64 result whose every value is a float32 number while the expected ones are not
    float32_values: bool = False

    def describe(self) -> str:
        where = "[" + ", ".join(str(i) for i in self.index) + "]"
        expected, actual = f"{self.expected:.6g}", f"{self.actual:.6g}"
        if expected == actual:  # six digits hide the difference: show every digit
            expected, actual = repr(self.expected), repr(self.actual)
        text = (f"{self.count} of {self.total} values differ; the worst is at {where}: expected "
                f"{expected}, got {actual} (absolute error {self.abs_error:.3g}, relative {self.rel_error:.3g})")
        if self.float32_values and self.rel_error < 1e-5:
            text += " (computed in float32? every value returned is a float32 number)"
        return text


def compare_values(expected: torch.Tensor, actual: torch.Tensor, rtol: float, atol: float) -> Mismatch | None:
    """None when every element satisfies |a - e| <= atol + rtol * |e| (NaN matches only NaN)."""
    e = expected.detach().to(torch.float64)
    a = actual.detach().to(torch.float64)
    if e.shape == a.shape and torch.equal(e, a):
        return None  # equal values are within any tolerance, inf included (NaN is never equal: below)
    both_nan = torch.isnan(e) & torch.isnan(a)
    same_inf = torch.isinf(e) & (e == a)
    diff = (a - e).abs()
    bad = ~((diff <= atol + rtol * e.abs()) | both_nan | same_inf)
    if not bool(bad.any()):
        return None
    # Worst element: NaN/inf first, then the largest excess over the tolerance.
    excess = torch.where(torch.isfinite(diff), diff - (atol + rtol * e.abs()), torch.full_like(diff, float("inf")))
    excess = torch.where(bad, excess, torch.full_like(excess, float("-inf")))
    flat = int(torch.argmax(excess.reshape(-1)))
    index = unravel(flat, tuple(e.shape))
    ev, av = float(e.reshape(-1)[flat]), float(a.reshape(-1)[flat])
    abs_err = abs(av - ev) if (ev == ev and av == av) else float("nan")
    rel = abs_err / abs(ev) if ev not in (0.0,) and ev == ev else float("inf")
    float32_values = False
    if actual.dtype == torch.float64 and a.is_floating_point() and a.numel():
        def as_float32(x):
            return torch.equal(x.to(torch.float32).to(torch.float64), x)
        float32_values = as_float32(torch.nan_to_num(a)) and not as_float32(torch.nan_to_num(e))
    return Mismatch(index, ev, av, abs_err, rel, int(bad.sum()), e.numel(), float32_values)


def unravel(flat: int, shape: tuple) -> tuple:
    """The index of element `flat` of a contiguous tensor of `shape` (torch.unravel_index, without its
    per-call type checks, which cost more than the whole comparison)."""
    index = []
    for size in reversed(shape):
        flat, i = divmod(flat, size)
        index.append(i)
    return tuple(reversed(index))


def excerpt(expected: torch.Tensor, actual: torch.Tensor, index: tuple, radius: int = 2) -> tuple[str, str]:
    """The expected and actual values in a small window around `index` of the last two dims; with ten
    decimals when four show the two windows alike."""
    if expected.dim() <= 1:
        lo = max(0, (index[0] if index else 0) - radius * 2)
        window = (slice(lo, lo + 2 * radius * 2 + 1),) if expected.dim() else ()
    else:
        i, j = index[-2], index[-1]
        window = tuple(index[:-2]) + (slice(max(0, i - radius), i + radius + 1), slice(max(0, j - radius), j + radius + 1))
    shown = show(expected[window]), show(actual[window])
    if shown[0] == shown[1]:
        shown = show(expected[window], precision=10), show(actual[window], precision=10)
    return shown
