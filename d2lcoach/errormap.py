"""Error maps: a small plain-ASCII heat map of |actual - expected| that shows *where* a tensor result is wrong.

A missing last row, padding on one side only (a shifted result), a transposed result or one wrong
channel each draw a shape that a learner sees at a glance. The map is plain text (no colour codes)
because it goes into messages, JSON and Markdown feedback alike.
"""

from __future__ import annotations

import math

import torch

#: Marks from "within tolerance" (a space) to "the largest error" ('@').
RAMP = " .:-=+*#%@"
#: The mark of a NaN or infinite value where the expected value is not the same.
NONFINITE = "!"
#: The mark of an element that only one of expected and actual has (their last two sizes differ).
MISSING = "x"


def should_map(expected) -> bool:
    """Whether a result of this shape gets an error map: 2-D with both sides at least 2, 3-D or 4-D."""
    if not isinstance(expected, torch.Tensor) or expected.is_complex() or expected.numel() == 0:
        return False
    if expected.dim() == 2:
        return min(expected.shape) >= 2
    return expected.dim() in (3, 4)


def error_map(expected: torch.Tensor, actual: torch.Tensor, *, max_cells: int = 24,
              rtol: float = 1e-5, atol: float = 1e-8) -> str:
    """The error map of `actual` against `expected`, or "" when there is nothing to draw.

    Cells within `atol + rtol * |expected|` are blank (pass the grader's tolerances); the others use
    `RAMP`, scaled to the largest error, and `NONFINITE` for NaN or inf. When only the last two
    dimensions differ in size, the map covers both shapes and marks with `MISSING` the elements
    that only one side has (a missing last row, say). 4-D results (N, C, H, W) show the largest
    error of every (n, c) slice, then the map of the slice holding the worst element; 3-D results
    the map of the worst leading slice. Sides longer than `max_cells` are downsampled, each cell
    showing the largest error of its block. Nothing is drawn ("") when every element is within
    tolerance, the result is not mappable (see `should_map`), other dimensions differ, or either
    tensor has no values (the meta device).
    """
    if not (should_map(expected) and isinstance(actual, torch.Tensor)) or actual.is_complex():
        return ""
    if "meta" in (expected.device.type, actual.device.type) or actual.dim() != expected.dim():
        return ""
    if tuple(actual.shape[:-2]) != tuple(expected.shape[:-2]) or actual.numel() == 0:
        return ""
    max_cells = max(2, int(max_cells))
    e = expected.detach().to("cpu", torch.float64)
    a = actual.detach().to("cpu", torch.float64)
    same_shape = tuple(a.shape) == tuple(e.shape)
    (he, we), (ha, wa) = e.shape[-2:], a.shape[-2:]
    h, w = min(he, ha), min(we, wa)
    err = e.new_zeros(e.shape[:-2] + (max(he, ha), max(we, wa)))
    missing = torch.ones(err.shape, dtype=torch.bool)
    err[..., :h, :w] = _errors(e[..., :h, :w], a[..., :h, :w], rtol, atol)
    missing[..., :h, :w] = False
    if not bool((err > 0).any()) and same_shape:
        return ""
    finite = err[torch.isfinite(err)]
    scale = float(finite.max()) if finite.numel() else 0.0
    worst = _unravel(int(torch.argmax(err.reshape(-1))), err.shape) if bool((err > 0).any()) else None
    where = "[" + ", ".join(str(i) for i in worst) + "]" if worst else None
    sizes = f"{ha} x {wa}, expected {he} x {we}"
    lines: list[str] = []
    notes: list[str] = []
    if err.dim() == 4:
        n, c = worst[:2] if worst else (0, 0)
        if same_shape:
            per_slice = err.amax(dim=(2, 3))
            if per_slice.numel() > 1:
                lines.append(f"Largest error of each (n, c) slice (rows n, columns c; {_dims(per_slice)}):")
                lines += _grid(per_slice, None, scale, max_cells)
                notes += _slice_pattern(per_slice)
            lines.append(f"Error map of slice [{n}, {c}] ({_dims(err[n, c])}), the one holding the worst "
                         f"element {where}:")
        else:
            lines.append(f"Error map of slice [{n}, {c}]: every (n, c) slice is {sizes}; "
                         + (f"the worst element is {where}:" if where else "the values present are right:"))
        plane, plane_missing, plane_e, plane_a = err[n, c], missing[n, c], e[n, c], a[n, c]
    elif err.dim() == 3:
        b = worst[0] if worst else 0
        wrong = [i for i in range(err.shape[0]) if bool((err[i] > 0).any()) or not same_shape]
        shown = ", ".join(str(i) for i in wrong[:10]) + (", ..." if len(wrong) > 10 else "")
        size = _dims(err[b]) if same_shape else sizes
        lines.append(f"Error map of slice [{b}] ({size}), the one holding the worst element {where}; "
                     f"slices with errors: {shown} (of {err.shape[0]}):" if where else
                     f"Error map of slice [{b}] ({size}); the values present are right:")
        plane, plane_missing, plane_e, plane_a = err[b], missing[b], e[b], a[b]
    else:
        plane, plane_missing, plane_e, plane_a = err, missing, e, a
        size = _dims(err) if same_shape else sizes
        lines.append(f"Error map of the result ({size}), |actual - expected|, "
                     + (f"worst at {where}:" if where else "the values present are right:"))
    lines += _grid(plane, plane_missing if not same_shape else None, scale, max_cells)
    bh, bw = _blocks(plane.shape, max_cells)
    if bh > 1 or bw > 1:
        lines.append(f"(downsampled: each cell is the largest error of a {bh} x {bw} block)")
    legend = "scale: ' ' within tolerance"
    if scale > 0:
        legend += f", '{RAMP[1]}' to '{RAMP[-1]}' up to {scale:.3g}"
    if bool(torch.isinf(err).any()):
        legend += f", '{NONFINITE}' NaN or inf"
    if not same_shape:
        legend += f", '{MISSING}' only in one of expected and actual"
    lines.append(legend)
    if bool((~torch.isfinite(a) & torch.isfinite(e)).any()):
        notes.append("NaN or inf where the expected values are finite (an overflow, or 0 / 0?)")
    if same_shape:
        notes += _plane_pattern(plane_e, plane_a, plane > 0, rtol, atol)
    else:
        notes += _size_pattern(plane_e, plane_a, rtol, atol)
    if notes:
        lines.append("Pattern: " + "; ".join(notes) + ".")
    return "\n".join(lines)


# --------------------------------------------------------------------------- helpers

def _errors(e: torch.Tensor, a: torch.Tensor, rtol: float, atol: float) -> torch.Tensor:
    """0 within tolerance, inf for a NaN or inf that should not be there, else |a - e|."""
    diff = (a - e).abs()
    ok = (diff <= atol + rtol * e.abs()) | (torch.isnan(e) & torch.isnan(a)) | (torch.isinf(e) & (e == a))
    err = torch.where(ok, torch.zeros_like(diff), diff)
    return torch.where(~ok & ~torch.isfinite(diff), torch.full_like(diff, math.inf), err)


def _unravel(flat: int, shape) -> tuple[int, ...]:
    index = []
    for size in reversed(tuple(shape)):
        index.append(flat % size)
        flat //= size
    return tuple(reversed(index))


def _dims(t: torch.Tensor) -> str:
    return " x ".join(str(s) for s in t.shape)


def _blocks(shape, max_cells: int) -> tuple[int, int]:
    return math.ceil(shape[0] / max_cells), math.ceil(shape[1] / max_cells)


def _mark(value: float, scale: float) -> str:
    if value == 0:
        return RAMP[0]
    if math.isinf(value) or scale <= 0:
        return NONFINITE if math.isinf(value) else RAMP[-1]
    steps = len(RAMP) - 1
    # The small epsilon keeps exact ratios such as 1/3 from flipping a level on rounding noise.
    return RAMP[min(steps, max(1, math.ceil(value / scale * steps - 1e-9)))]


def _grid(plane: torch.Tensor, missing: torch.Tensor | None, scale: float, max_cells: int) -> list[str]:
    """The rows of a map: stacked column numbers on top, row numbers on the left, two characters a cell."""
    height, width = plane.shape
    if missing is None:
        missing = torch.zeros(plane.shape, dtype=torch.bool)
    bh, bw = _blocks(plane.shape, max_cells)
    if bh > 1 or bw > 1:
        rows, cols = math.ceil(height / bh), math.ceil(width / bw)
        padded = plane.new_zeros(rows * bh, cols * bw)
        padded[:height, :width] = plane
        plane = padded.reshape(rows, bh, cols, bw).amax(dim=(1, 3))
        flags = torch.zeros(rows * bh, cols * bw, dtype=torch.bool)
        flags[:height, :width] = missing
        missing = flags.reshape(rows, bh, cols, bw).any(dim=3).any(dim=1)
    row_labels = [str(i * bh) for i in range(plane.shape[0])]
    col_labels = [str(j * bw) for j in range(plane.shape[1])]
    left = max(len(s) for s in row_labels)
    digits = max(len(s) for s in col_labels)
    lines = []
    for k in range(digits):
        ruler = "".join(label.rjust(digits)[k] + " " for label in col_labels)
        lines.append((" " * (left + 2) + ruler).rstrip())
    for label, row, gaps in zip(row_labels, plane.tolist(), missing.tolist()):
        cells = "".join((MISSING if gap else _mark(v, scale)) * 2 for v, gap in zip(row, gaps))
        lines.append(f"{label.rjust(left)} |{cells}|")
    return lines


def _close(a: torch.Tensor, e: torch.Tensor, rtol: float, atol: float) -> bool:
    return bool(torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True).all())


def _plane_pattern(e: torch.Tensor, a: torch.Tensor, bad: torch.Tensor, rtol: float, atol: float) -> list[str]:
    """A plain-words reading of a 2-D map, only where it is certain.

    A single wrong row or column is named only with at least three of them (of two, one is half the
    map, not a pattern), and guessed to be a loop that stops short only when it was left at zero."""
    height, width = bad.shape
    bad_rows = [i for i in range(height) if bool(bad[i].any())]
    bad_cols = [j for j in range(width) if bool(bad[:, j].any())]
    if height > 2 and bad_rows == [height - 1]:
        short = " (a loop that stops one row short?)" if not bool(a[-1].any()) else ""
        return ["only the last row is wrong" + short]
    if width > 2 and bad_cols == [width - 1]:
        short = " (a loop that stops one column short?)" if not bool(a[:, -1].any()) else ""
        return ["only the last column is wrong" + short]
    if height > 2 and bad_rows == [0]:
        return ["only the first row is wrong"]
    if width > 2 and bad_cols == [0]:
        return ["only the first column is wrong"]
    if height == width and _close(a, e.T, rtol, atol):
        return ["the result is the transpose of the expected one (rows and columns swapped)"]
    offsets = sorted(((dr, dc) for dr in range(-2, 3) for dc in range(-2, 3) if (dr, dc) != (0, 0)),
                     key=lambda d: (abs(d[0]) + abs(d[1]), d))
    for dr, dc in offsets:
        rows, cols = height - abs(dr), width - abs(dc)
        if rows < 2 or cols < 2 or rows * cols * 2 < height * width:
            continue
        moved = a[max(dr, 0):max(dr, 0) + rows, max(dc, 0):max(dc, 0) + cols]
        source = e[max(-dr, 0):max(-dr, 0) + rows, max(-dc, 0):max(-dc, 0) + cols]
        if _close(moved, source, rtol, atol):
            parts = []
            if dr:
                parts.append(f"{'down' if dr > 0 else 'up'} by {abs(dr)} row{'s' if abs(dr) > 1 else ''}")
            if dc:
                parts.append(f"{'right' if dc > 0 else 'left'} by {abs(dc)} column{'s' if abs(dc) > 1 else ''}")
            return [f"the result is the expected one moved {' and '.join(parts)} "
                    "(padding on one side only, or an index off by one?)"]
    return []


def _size_pattern(e: torch.Tensor, a: torch.Tensor, rtol: float, atol: float) -> list[str]:
    """A plain-words reading of a 2-D result whose size differs from the expected one."""
    if tuple(a.T.shape) == tuple(e.shape) and _close(a.T, e, rtol, atol):
        return ["the result is the transpose of the expected one (rows and columns swapped)"]
    notes = []
    for axis, (one, many) in enumerate((("row", "rows"), ("column", "columns"))):
        k = e.shape[axis] - a.shape[axis]
        if k > 0:
            notes.append(f"the last {k} {many} are missing" if k > 1 else f"the last {one} is missing")
        elif k < 0:
            where = "at the bottom" if axis == 0 else "on the right"
            notes.append(f"{-k} extra {one if k == -1 else many} {where}")
    if notes:
        notes[-1] += " (an output size off by one?)"
    return notes


def _slice_pattern(per_slice: torch.Tensor) -> list[str]:
    """For (N, C) slice errors: a single wrong channel or a single wrong sample."""
    bad = per_slice > 0
    samples, channels = bad.shape
    bad_channels = [c for c in range(channels) if bool(bad[:, c].any())]
    bad_samples = [n for n in range(samples) if bool(bad[n].any())]
    if channels > 1 and len(bad_channels) == 1:
        c = bad_channels[0]
        if len(bad_samples) == samples:
            return [f"only channel {c} is wrong, in every sample"]
        return [f"only channel {c} is wrong, in sample(s) {', '.join(str(n) for n in bad_samples)}"]
    if samples > 1 and len(bad_samples) == 1:
        return [f"only sample {bad_samples[0]} is wrong"]
    return []
