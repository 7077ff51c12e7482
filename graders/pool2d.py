"""Grader for pool2d (D2L 7.5): max and average pooling with window, stride, padding, channels and batch.

X is passed positionally and the rest by keyword where a case sets it, so the gradient path (0,) is X.
Max-pooling inputs hold distinct values (a shuffled range), so every window has one maximum and the
gradient of a correct submission is the reference's whatever way it breaks ties; padding cases use
inputs whose values are all negative (max: a zero padding would win) or all positive (avg: dividing
by the number of real elements instead of kh * kw shows at every border).
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.inputs import pair

NAMES = ("X",)

MAX = "max pooling"
AVG = "average pooling"
STRIDE = "stride"
PADDING_MAX = "max padding with -inf"
PADDING_AVG = "average padding counts zeros"
CHANNELS = "channels and batch"
RECTANGULAR = "rectangular windows"
FLOAT64 = "float64"

HINTS = {
    MAX: "D2L 7.5: output (i, j) is the maximum of the window X[..., i*sh:i*sh+kh, j*sw:j*sw+kw]; "
         "mode='max' is the default.",
    AVG: "mode='avg': output (i, j) is the mean of its window, the sum divided by kh * kw.",
    STRIDE: "stride=None means stride = pool_size (windows side by side, like nn.MaxPool2d(3)); the window of "
            "output (i, j) starts at row i*sh and column j*sw, and OH = (H + 2*ph - kh) // sh + 1.",
    PADDING_MAX: "Max pooling pads with -inf, so a padded element never wins: "
                 "F.pad(X, (pw, pw, ph, ph), value=float('-inf')). Zero padding is wrong where a whole "
                 "window's real values are negative.",
    PADDING_AVG: "Average pooling pads with zeros and counts them: every window divides by kh * kw, "
                 "padded or not (count_include_pad=True). Pad ph rows top and bottom, pw columns left "
                 "and right: F.pad takes the last dimension first, (pw, pw, ph, ph).",
    CHANNELS: "Pooling has no weights and never mixes channels: every (example, channel) slice of X is pooled "
              "on its own, so the output is (N, C, OH, OW).",
    RECTANGULAR: "pool_size, stride and padding may be (h, w) pairs with h != w: the first value is for rows "
                 "(dimension 2), the second for columns (dimension 3).",
    FLOAT64: "Keep the input's dtype: build new tensors with dtype=X.dtype (or *_like), not torch.zeros(...) "
             "with its float32 default.",
}

#: float32 means of up to 12 values in another summation order differ by a few 1e-7.
TOLERANCE = {torch.float32: (1e-5, 1e-5)}


def _out_shape(X, pool_size, stride, padding):
    kh, kw = pair(pool_size)
    sh, sw = pair(pool_size if stride is None else stride)
    ph, pw = pair(padding)
    N, C, H, W = X.shape
    return (N, C, (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1)


def _distinct(gen, *shape, dtype=torch.float32, sign=0):
    """Distinct values (no ties in any window): a shuffled range, centred (sign 0), all < 0 or all > 0."""
    n = 1
    for s in shape:
        n *= s
    values = torch.randperm(n, generator=gen).to(dtype).reshape(shape) / 2
    if sign < 0:
        return -1 - values
    return values + 1 if sign > 0 else values - n / 4


def _case(prop, gen, X, pool_size, stride=None, padding=None, mode=None):
    """A call that passes stride, padding and mode only when given, so that their defaults are used too."""
    kwargs, shown = {}, []
    for name, value in (("stride", stride), ("padding", padding), ("mode", mode)):
        if value is not None:
            kwargs[name] = value
            shown.append(f"{name}={value!r}")
    label = f"pool2d(X, {pool_size!r}" + "".join(", " + s for s in shown) + ")"
    out = _out_shape(X, pool_size, stride, 0 if padding is None else padding)
    return Case(property=prop, args=(X, pool_size), kwargs=kwargs, names=NAMES, label=label, grad=((0,),),
                grad_outputs=[torch.randn(out, generator=gen, dtype=X.dtype)], tolerance=TOLERANCE,
                hint=HINTS[prop])


def make_cases(gen: torch.Generator) -> list[Case]:
    book = torch.arange(9.0).reshape(1, 1, 3, 3)
    book16 = torch.arange(16.0).reshape(1, 1, 4, 4)
    cases = [
        # The book's examples: 3x3 with a 2x2 window at stride 1 ([[4, 5], [7, 8]] and [[2, 3], [5, 6]]),
        # then nn.MaxPool2d(3) on a 4x4 input ([[10]]): mode and stride left at their defaults.
        _case(MAX, gen, book, (2, 2), stride=1),
        _case(MAX, gen, _distinct(gen, 1, 1, 4, 5), 2, stride=1, mode="max"),
        _case(MAX, gen, _distinct(gen, 1, 1, 6, 6), 3),
        _case(AVG, gen, book, (2, 2), stride=1, mode="avg"),
        _case(AVG, gen, torch.randn(1, 1, 4, 5, generator=gen), 2, stride=1, mode="avg"),
        _case(AVG, gen, torch.randn(1, 1, 6, 6, generator=gen), 3, mode="avg"),
        # Stride: the default (pool_size, including a window that does not divide H), explicit strides
        # smaller and larger than the window, and pairs with sh != sw.
        _case(STRIDE, gen, book16, 3),
        _case(STRIDE, gen, _distinct(gen, 1, 1, 5, 7), 2),
        _case(STRIDE, gen, _distinct(gen, 1, 1, 7, 7), 3, stride=2),
        _case(STRIDE, gen, torch.randn(1, 1, 8, 7, generator=gen), 2, stride=3, mode="avg"),
        _case(STRIDE, gen, _distinct(gen, 1, 1, 6, 7), 2, stride=(1, 2)),
        _case(STRIDE, gen, torch.randn(1, 1, 7, 6, generator=gen), 2, stride=(2, 1), mode="avg"),
        # Padding: the book's nn.MaxPool2d(3, padding=1, stride=2) ([[5, 7], [13, 15]]), then all-negative
        # inputs for max, all-positive ones for avg, with pw != ph both ways and the stride left out.
        _case(PADDING_MAX, gen, book16, 3, stride=2, padding=1),
        _case(PADDING_MAX, gen, _distinct(gen, 1, 1, 3, 3, sign=-1), 2, stride=1, padding=1),
        _case(PADDING_MAX, gen, _distinct(gen, 1, 2, 4, 5, sign=-1), 3, padding=1),
        _case(PADDING_MAX, gen, _distinct(gen, 1, 1, 4, 5, sign=-1), 2, stride=1, padding=(1, 0)),
        _case(PADDING_MAX, gen, _distinct(gen, 1, 1, 5, 4, sign=-1), 2, stride=1, padding=(0, 1)),
        _case(PADDING_AVG, gen, book16, 3, stride=2, padding=1, mode="avg"),
        _case(PADDING_AVG, gen, _distinct(gen, 1, 1, 3, 3, sign=1), 2, stride=1, padding=1, mode="avg"),
        _case(PADDING_AVG, gen, _distinct(gen, 1, 2, 4, 5, sign=1), 3, padding=1, mode="avg"),
        _case(PADDING_AVG, gen, _distinct(gen, 1, 1, 4, 5, sign=1), 2, stride=1, padding=(1, 0), mode="avg"),
        _case(PADDING_AVG, gen, _distinct(gen, 1, 1, 5, 4, sign=1), 2, stride=1, padding=(0, 1), mode="avg"),
        # Channels and batch: the book's torch.cat((X, X + 1), 1), then N > 1 and several channels.
        _case(CHANNELS, gen, torch.cat((book16, book16 + 1), 1), 3, stride=2, padding=1),
        _case(CHANNELS, gen, _distinct(gen, 2, 3, 4, 4), 2),
        _case(CHANNELS, gen, torch.randn(3, 2, 5, 4, generator=gen), 2, stride=1, padding=1, mode="avg"),
        # Rectangular windows: the book's nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1)), then kh != kw
        # both ways, with the stride left at its (rectangular) default.
        _case(RECTANGULAR, gen, book16, (2, 3), stride=(2, 3), padding=(0, 1)),
        _case(RECTANGULAR, gen, _distinct(gen, 1, 1, 4, 6), (1, 3)),
        _case(RECTANGULAR, gen, _distinct(gen, 1, 1, 6, 4), (3, 1), stride=1),
        _case(RECTANGULAR, gen, torch.randn(1, 2, 5, 7, generator=gen), (2, 3), padding=(1, 1), mode="avg"),
        _case(RECTANGULAR, gen, torch.randn(2, 1, 7, 5, generator=gen), (3, 2), stride=(1, 2), mode="avg"),
        # float64, both modes.
        _case(FLOAT64, gen, _distinct(gen, 2, 2, 5, 5, dtype=torch.float64), 2, stride=1, padding=1),
        _case(FLOAT64, gen, torch.randn(2, 2, 5, 6, generator=gen, dtype=torch.float64), (2, 3), padding=1,
              mode="avg"),
    ]
    return cases
