"""Check the class_activation_map reference (Zhou et al. 2016) against independent implementations: torch.einsum
and F.interpolate in float64, and the map and the align_corners=False bilinear formula written out in Python floats."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from tests.test_reference import DTYPES, SEEDS, assert_close, gen, randint, randn, ref

#: (N, C, h, w, K, (H, W)): whole factors, sizes no multiple of (h, w), H != W, and no upsampling at all.
SHAPES = [(1, 3, 2, 2, 4, (4, 4)), (2, 3, 3, 4, 5, (6, 8)), (3, 4, 3, 3, 3, (7, 10)), (2, 5, 4, 5, 6, (4, 5)),
          (4, 2, 2, 3, 3, (9, 5)), (2, 6, 5, 4, 10, (16, 13))]


def cam_by_torch(features, weight, classes, size):
    """The definition in float64 with torch's own routines: einsum, F.interpolate, amin and amax."""
    f64, w64 = features.double(), weight.double()
    maps = torch.einsum("nc,nchw->nhw", w64[classes], f64)
    up = F.interpolate(maps[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]
    lo, hi = up.amin(dim=(1, 2), keepdim=True), up.amax(dim=(1, 2), keepdim=True)
    return torch.where(hi > lo, (up - lo) / (hi - lo), torch.zeros_like(up))


def _source(dst: int, n_in: int, n_out: int) -> tuple[int, int, float]:
    """align_corners=False: pixel centres at half-pixel offsets, clamped at the first pixel."""
    x = max((dst + 0.5) * n_in / n_out - 0.5, 0.0)
    i0 = min(int(math.floor(x)), n_in - 1)
    return i0, min(i0 + 1, n_in - 1), x - i0


def cam_by_loops(features, weight, classes, size):
    """Equation 2 and the bilinear formula, one pixel at a time in Python floats; min-max per image."""
    N, C, h, w = features.shape
    H, W = size
    out = []
    for n in range(N):
        k = int(classes[n])
        M = [[sum(float(weight[k, c]) * float(features[n, c, i, j]) for c in range(C)) for j in range(w)]
             for i in range(h)]
        U = []
        for y in range(H):
            y0, y1, ly = _source(y, h, H)
            row = []
            for x in range(W):
                x0, x1, lx = _source(x, w, W)
                top = M[y0][x0] * (1 - lx) + M[y0][x1] * lx
                bottom = M[y1][x0] * (1 - lx) + M[y1][x1] * lx
                row.append(top * (1 - ly) + bottom * ly)
            U.append(row)
        lo, hi = min(map(min, U)), max(map(max, U))
        out.append([[(u - lo) / (hi - lo) if hi > lo else 0.0 for u in row] for row in U])
    return torch.tensor(out, dtype=torch.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_cam_is_einsum_and_interpolate(seed, dtype):
    g = gen(seed)
    for N, C, h, w, K, size in SHAPES:
        features, weight = randn(g, N, C, h, w, dtype=dtype).abs(), randn(g, K, C, dtype=dtype)
        classes = torch.randint(0, K, (N,), generator=g)
        out = ref("class_activation_map")(features, weight, classes, size)
        assert out.shape == (N, *size) and out.dtype == dtype
        assert_close(out, cam_by_torch(features, weight, classes, size).to(dtype))
        flat = out.double().flatten(1)
        assert_close(flat.amin(dim=1), torch.zeros(N, dtype=torch.float64))
        assert_close(flat.amax(dim=1), torch.ones(N, dtype=torch.float64))


@pytest.mark.parametrize("seed", SEEDS)
def test_cam_is_the_formula_written_out(seed):
    g = gen(seed)
    for N, C, h, w, K, size in SHAPES:
        features, weight = randn(g, N, C, h, w) * 2, randn(g, K, C)
        classes = torch.randint(0, K, (N,), generator=g)
        assert_close(ref("class_activation_map")(features, weight, classes, size),
                     cam_by_loops(features, weight, classes, size))


@pytest.mark.parametrize("seed", SEEDS)
def test_an_int_class_is_that_class_for_every_image(seed):
    g = gen(seed)
    features, weight = randn(g, 3, 4, 3, 4), randn(g, 5, 4)
    k = randint(g, 0, 4)
    assert_close(ref("class_activation_map")(features, weight, k, (7, 9)),
                 ref("class_activation_map")(features, weight, torch.full((3,), k), (7, 9)))


def test_a_constant_map_is_zeros_and_the_others_are_normalised():
    g = gen(3)
    features, weight = randn(g, 3, 2, 3, 3), randn(g, 4, 2)
    features[1] = torch.tensor([0.5, 1.25])[:, None, None].expand(2, 3, 3)   # exactly constant, any sum order
    weight[3] = 0.0                                                           # class 3: the zero map
    weight[1] = torch.tensor([0.25, -2.0])
    out = ref("class_activation_map")(features, weight, torch.tensor([0, 1, 3]), (6, 12))
    assert torch.isfinite(out).all()
    assert torch.equal(out[1], torch.zeros(6, 12, dtype=torch.float64))
    assert torch.equal(out[2], torch.zeros(6, 12, dtype=torch.float64))
    assert_close(out[:1], cam_by_torch(features[:1], weight, torch.tensor([0]), (6, 12)))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_map_ignores_the_scale_of_the_weights_and_features(seed):
    """Positive scales and any scale of the features leave the normalised map unchanged (no eps)."""
    g = gen(seed)
    features, weight = randn(g, 2, 3, 3, 4).abs(), randn(g, 4, 3)
    classes = torch.tensor([1, 3])
    want = ref("class_activation_map")(features, weight, classes, (6, 9))
    for scale in (1e-6, 1e-3, 7.0, 1e5):
        assert_close(ref("class_activation_map")(features * scale, weight, classes, (6, 9)), want)
        assert_close(ref("class_activation_map")(features, weight * scale, classes, (6, 9)), want)


def test_normalising_before_upsampling_gives_another_answer():
    """The order is part of the contract: an interior maximum is blended away by the upsampling."""
    features = torch.zeros(1, 1, 3, 3, dtype=torch.float64)
    features[0, 0, 1, 1] = 1.0
    weight = torch.ones(1, 1, dtype=torch.float64)
    out = ref("class_activation_map")(features, weight, 0, (6, 6))
    before = F.interpolate(features[:, :1], size=(6, 6), mode="bilinear", align_corners=False)[:, 0]
    assert float(out.max()) == 1.0 and float(before.max()) < 1.0


def test_the_reference_keeps_its_arguments():
    g = gen(1)
    features, weight, classes = randn(g, 2, 3, 3, 3), randn(g, 4, 3), torch.tensor([2, 0])
    before = [t.clone() for t in (features, weight, classes)]
    ref("class_activation_map")(features, weight, classes, (5, 7))
    assert all(torch.equal(a, b) for a, b in zip((features, weight, classes), before))
