"""Check the vision-c references (anchor_boxes) against independent implementations: loops over the book's formulas and the values D2L prints."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from tests.test_reference import DTYPES, SEEDS, assert_close, gen, randint, ref

# ----------------------------------------------------------------------------- anchor_boxes


def _anchors_by_loops(H, W, sizes, ratios):
    """The contract's formula, pixel by pixel and pair by pair, in float64 Python arithmetic."""
    pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    rows = []
    for i, j in itertools.product(range(H), range(W)):
        x, y = (j + 0.5) / W, (i + 0.5) / H
        for s, r in pairs:
            w, h = s * math.sqrt(r) * H / W, s / math.sqrt(r)
            rows.append([x - w / 2, y - h / 2, x + w / 2, y + h / 2])
    return torch.tensor(rows, dtype=torch.float64).reshape(1, -1, 4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_multibox_prior_matches_the_formula_by_loops(seed, dtype):
    g = gen(seed)
    H, W = randint(g, 1, 6), randint(g, 1, 6)
    sizes = [float(v) for v in torch.rand(randint(g, 1, 4), generator=g) * 0.8 + 0.1]
    ratios = [float(v) for v in torch.rand(randint(g, 1, 4), generator=g) * 2.5 + 0.3]
    data = torch.rand(2, 3, H, W, generator=g, dtype=dtype)
    Y = ref("anchor_boxes", "multibox_prior")(data, sizes, ratios)
    assert Y.shape == (1, H * W * (len(sizes) + len(ratios) - 1), 4) and Y.dtype == dtype
    assert_close(Y, _anchors_by_loops(H, W, sizes, ratios).to(dtype))


def test_multibox_prior_prints_the_books_values():
    """D2L 14.4: a 561 x 728 image, sizes [0.75, 0.5, 0.25], ratios [1, 2, 0.5]: (1, 2042040, 4), and the first
    anchor centred on pixel (250, 250) is [0.06, 0.07, 0.63, 0.82] (printed to two decimals)."""
    Y = ref("anchor_boxes", "multibox_prior")(torch.rand(1, 3, 561, 728), [0.75, 0.5, 0.25], [1, 2, 0.5])
    assert Y.shape == (1, 2042040, 4)
    torch.testing.assert_close(Y.reshape(561, 728, 5, 4)[250, 250, 0], torch.tensor([0.06, 0.07, 0.63, 0.82]),
                               rtol=0, atol=0.005)


def test_multibox_prior_runs_on_meta():
    Y = ref("anchor_boxes", "multibox_prior")(torch.empty(1, 3, 4, 5, device="meta"), [0.5, 0.2], [1.0, 2.0, 0.5])
    assert Y.device.type == "meta" and Y.shape == (1, 4 * 5 * 4, 4)
