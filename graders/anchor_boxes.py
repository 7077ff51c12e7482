"""Grader for anchor_boxes (D2L 14.4): multibox_prior's centres, widths and heights, the n + m - 1 anchors per
pixel in the book's order, row-major pixels, rectangular images and float64.

Each case calls multibox_prior(data, sizes, ratios) with sizes and ratios as Python lists; data's values are
random (the anchors must not depend on them). Cases go from one pixel and one anchor to many, and the sizes
and ratios of the fixed cases keep r_1 != 1 somewhere, so a solution that assumes r_1 = 1 fails.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case

NAMES = ("data", "sizes", "ratios")

CENTRES = "centres"
SHAPES = "widths and heights"
PER_PIXEL = "n + m - 1 anchors per pixel"
PIXELS = "pixel order"
RECTANGULAR = "rectangular images"
FLOAT64 = "float64"

HINTS = {
    CENTRES: "D2L 14.4: the centre of the pixel in row i and column j is ((j + 0.5) / W, (i + 0.5) / H): "
             "offset 0.5, then divide by the image's width and height, so every coordinate is in [0, 1].",
    SHAPES: "An anchor of size s and ratio r has width s * sqrt(r) * H / W and height s / sqrt(r), and the box "
            "is (x - w/2, y - h/2, x + w/2, y + h/2): corner form, half the width on each side.",
    PER_PIXEL: "Per pixel, n + m - 1 anchors, in this order: (s_1, r_1), (s_2, r_1), ..., (s_n, r_1), then "
               "(s_1, r_2), ..., (s_1, r_m). The second group uses s_1 (sizes[0]) with every ratio but the "
               "first; r_1 is ratios[0], which need not be 1.",
    PIXELS: "Pixels in row-major order, all the anchors of one pixel consecutive: the centres repeat each one "
            "n + m - 1 times (repeat_interleave), the per-anchor offsets repeat the whole block H * W times "
            "(repeat). meshgrid(center_h, center_w, indexing='ij') gives rows first.",
    RECTANGULAR: "On an H x W image with H != W: x divides by W and y by H, and the widths are scaled by "
                 "in_height / in_width (w = s * sqrt(r) * H / W), as the book does to handle rectangular inputs.",
    FLOAT64: "The anchors take data's dtype and device: torch.tensor(sizes, dtype=data.dtype, device=data.device) "
             "and torch.arange(..., dtype=data.dtype, device=data.device).",
}


def _case(prop, gen, shape, sizes, ratios, dtype=torch.float32):
    data = torch.rand(shape, generator=gen, dtype=dtype)
    label = f"multibox_prior(data of shape {tuple(shape)}, sizes={sizes}, ratios={ratios})"
    return Case(property=prop, args=(data, list(sizes), list(ratios)), names=NAMES, label=label, hint=HINTS[prop])


def _values(gen, k, low, high):
    """k distinct values in (low, high), rounded to two decimals so that a counterexample reads easily."""
    while True:
        v = [round(low + (high - low) * float(x), 2) for x in torch.rand(k, generator=gen)]
        if len(set(v)) == k and all(low < x < high for x in v):
            return v


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = [
        # centres: one anchor (a square of size 0.5) per pixel, on growing square images.
        _case(CENTRES, gen, (1, 1, 1, 1), [0.5], [1.0]),
        _case(CENTRES, gen, (1, 2, 2, 2), [0.4], [1.0]),
        _case(CENTRES, gen, (2, 1, 3, 3), _values(gen, 1, 0.1, 0.9), [1.0]),
        # widths and heights: one pixel, one size and several ratios (r_1 != 1), or several sizes and one ratio.
        _case(SHAPES, gen, (1, 1, 1, 1), [0.5], [2.0]),
        _case(SHAPES, gen, (1, 1, 1, 1), [0.6], [0.5, 1.0, 2.0]),
        _case(SHAPES, gen, (1, 1, 1, 1), [0.75, 0.5, 0.25], [0.25]),
        _case(SHAPES, gen, (1, 1, 2, 2), _values(gen, 1, 0.1, 0.9), _values(gen, 3, 0.3, 3.0)),
        # n + m - 1 anchors per pixel: one pixel, several sizes and ratios (the book's [1, 2, 0.5] too).
        _case(PER_PIXEL, gen, (1, 1, 1, 1), [0.75, 0.5], [1.0, 2.0]),
        _case(PER_PIXEL, gen, (1, 1, 1, 1), [0.75, 0.5, 0.25], [1.0, 2.0, 0.5]),
        _case(PER_PIXEL, gen, (1, 1, 1, 1), [0.3, 0.6, 0.9], [2.0, 0.5]),
        _case(PER_PIXEL, gen, (1, 1, 1, 1), _values(gen, 2, 0.1, 0.9), _values(gen, 4, 0.3, 3.0)),
        # pixel order: several anchors per pixel on square images.
        _case(PIXELS, gen, (1, 1, 2, 2), [0.5, 0.25], [1.0]),
        _case(PIXELS, gen, (1, 3, 3, 3), [0.75, 0.5, 0.25], [1.0, 2.0, 0.5]),
        _case(PIXELS, gen, (1, 1, 4, 4), _values(gen, 2, 0.1, 0.9), _values(gen, 2, 0.3, 3.0)),
        # rectangular images: H != W both ways, one anchor, then the book's sizes and ratios on a small
        # image of about the book's 561 x 728 proportions.
        _case(RECTANGULAR, gen, (1, 1, 1, 2), [0.5], [1.0]),
        _case(RECTANGULAR, gen, (1, 1, 3, 1), [0.5], [2.0]),
        _case(RECTANGULAR, gen, (1, 3, 4, 5), [0.75, 0.5, 0.25], [1.0, 2.0, 0.5]),
        _case(RECTANGULAR, gen, (2, 1, 5, 3), _values(gen, 3, 0.1, 0.9), _values(gen, 2, 0.3, 3.0)),
        # float64.
        _case(FLOAT64, gen, (1, 1, 2, 3), [0.75, 0.5], [1.0, 2.0, 0.5], dtype=torch.float64),
        _case(FLOAT64, gen, (1, 2, 4, 3), _values(gen, 2, 0.1, 0.9), _values(gen, 3, 0.3, 3.0), dtype=torch.float64),
    ]
    return cases
