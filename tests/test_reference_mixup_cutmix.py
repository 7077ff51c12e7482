"""Check mixup_cutmix's reference against independent implementations: mixup and cutmix written out per
example and per pixel in float64 (and torchvision's v2.MixUp/CutMix conventions), the box sampler against
an enumeration of every centre pixel, and its use of a given generator."""

from __future__ import annotations

import math

import pytest
import torch

from tests.test_reference import DTYPES, SEEDS, assert_close, gen, randn, ref


def _perm(g, n):
    return torch.randperm(n, generator=g)


def _labels(g, n, K):
    return torch.randint(0, K, (n,), generator=g)


def mixup_by_loops(X, y, lam, perm, K):
    """Zhang et al. 2018, equation (1), one example and one class at a time."""
    N = X.shape[0]
    images = torch.empty_like(X)
    targets = torch.zeros(N, K, dtype=X.dtype)
    for i in range(N):
        j = int(perm[i])
        images[i] = lam * X[i] + (1 - lam) * X[j]
        targets[i, int(y[i])] += lam
        targets[i, int(y[j])] += 1 - lam
    return images, targets


def cutmix_by_loops(X, y, perm, box, K):
    """Yun et al. 2019, section 3.1: the binary mask M is 0 inside the box; lam is the share of X's pixels."""
    x1, y1, x2, y2 = box
    N, _, H, W = X.shape
    images = X.clone()
    inside = 0
    for r in range(H):
        for c in range(W):
            if y1 <= r < y2 and x1 <= c < x2:
                inside += 1
                for i in range(N):
                    images[i, :, r, c] = X[int(perm[i]), :, r, c]
    lam = 1 - inside / (H * W)
    targets = torch.zeros(N, K, dtype=X.dtype)
    for i in range(N):
        targets[i, int(y[i])] += lam
        targets[i, int(y[int(perm[i])])] += 1 - lam
    return images, targets


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_mixup_is_the_papers_definition(seed, dtype):
    g = gen(seed)
    for shape, K, lam in (((3, 1, 2, 3), 3, 0.3), ((5, 2, 4, 6), 7, 0.85), ((4, 3, 3, 3), 2, 0.0),
                          ((2, 1, 5, 4), 4, 1.0)):
        X, y, perm = randn(g, *shape, dtype=dtype), _labels(g, shape[0], K), _perm(g, shape[0])
        images, targets = ref("mixup_cutmix", "mixup")(X, y, lam, perm, K)
        want_images, want_targets = mixup_by_loops(X.double(), y, lam, perm, K)
        assert images.dtype == targets.dtype == dtype and targets.shape == (shape[0], K)
        assert_close(images, want_images.to(dtype))
        assert_close(targets, want_targets.to(dtype))


BOXES = [((3, 1, 4, 6), (1, 1, 4, 3)), ((3, 2, 5, 8), (2, 0, 7, 3)), ((2, 1, 6, 9), (0, 0, 9, 6)),
         ((3, 1, 4, 5), (2, 1, 2, 3)), ((4, 2, 7, 5), (0, 2, 3, 7))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_cutmix_is_the_papers_definition(seed, dtype):
    g = gen(seed)
    for shape, box in BOXES:
        K = 5
        X, y, perm = randn(g, *shape, dtype=dtype), _labels(g, shape[0], K), _perm(g, shape[0])
        images, targets = ref("mixup_cutmix", "cutmix")(X, y, 0.5, perm, box, K)
        want_images, want_targets = cutmix_by_loops(X.double(), y, perm, box, K)
        assert images.dtype == targets.dtype == dtype
        assert torch.equal(images, want_images.to(dtype))
        assert_close(targets, want_targets.to(dtype))


def test_cutmix_matches_torchvisions_conventions():
    """torchvision's v2.CutMix pastes batch.roll(1, 0) into [..., y1:y2, x1:x2] and weights the targets by
    lam_adjusted = 1 - (x2 - x1) * (y2 - y1) / (W * H); with perm = roll's permutation the two agree."""
    g = gen(3)
    X, y = randn(g, 4, 3, 6, 10), _labels(g, 4, 6)
    perm = torch.arange(4).roll(1)
    x1, y1, x2, y2 = 2, 1, 9, 4
    rolled = X.roll(1, 0)
    want = X.clone()
    want[..., y1:y2, x1:x2] = rolled[..., y1:y2, x1:x2]
    lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (10 * 6))
    one_hot = torch.nn.functional.one_hot(y, 6).double()
    images, targets = ref("mixup_cutmix", "cutmix")(X, y, 0.3, perm, (x1, y1, x2, y2), 6)
    assert torch.equal(images, want)
    assert_close(targets, lam_adjusted * one_hot + (1 - lam_adjusted) * one_hot.roll(1, 0))


def test_mixup_and_cutmix_gradients_and_arguments():
    g = gen(4)
    X, y, perm = randn(g, 3, 2, 4, 5, requires_grad=True), _labels(g, 3, 4), torch.tensor([2, 0, 1])
    before = X.detach().clone(), y.clone(), perm.clone()
    G = randn(g, 3, 2, 4, 5)
    images, _ = ref("mixup_cutmix", "mixup")(X, y, 0.3, perm, 4)
    (grad,) = torch.autograd.grad((images * G).sum(), X)
    assert_close(grad, 0.3 * G + 0.7 * G[torch.argsort(perm)])
    images, _ = ref("mixup_cutmix", "cutmix")(X, y, 0.3, perm, (1, 1, 4, 3), 4)
    (grad,) = torch.autograd.grad((images * G).sum(), X)
    mask = torch.zeros(4, 5, dtype=torch.float64)
    mask[1:3, 1:4] = 1
    assert_close(grad, G * (1 - mask) + (G * mask)[torch.argsort(perm)])
    assert all(torch.equal(a, b) for a, b in zip((X.detach(), y, perm), before))


def _every_box(H, W, lam):
    """{box: number of centre pixels giving it}: the clipped cut int(H r) x int(W r) around each pixel."""
    r = math.sqrt(1 - lam)
    h, w = int(H * r), int(W * r)
    boxes = {}
    for cy in range(H):
        for cx in range(W):
            top, left = cy - h // 2, cx - w // 2
            box = (max(left, 0), max(top, 0), min(left + w, W), min(top + h, H))
            boxes[box] = boxes.get(box, 0) + 1
    return boxes


@pytest.mark.parametrize("H, W, lam", [(11, 20, 0.37), (9, 14, 0.57), (7, 12, 1.0), (9, 16, 0.0), (10, 7, 0.29)])
def test_cutmix_box_draws_from_the_enumeration(H, W, lam):
    possible = _every_box(H, W, lam)
    g = gen(5)
    seen = {}
    for _ in range(3000):
        box = ref("mixup_cutmix", "cutmix_box")(H, W, lam, g)
        assert all(type(v) is int for v in box) and box in possible
        seen[box] = seen.get(box, 0) + 1
    # every box reachable is drawn, about as often as its share of the centre pixels
    assert set(seen) == set(possible)
    for box, count in seen.items():
        assert abs(count / 3000 - possible[box] / (H * W)) < 0.05


def test_cutmix_box_uses_the_given_generator():
    first = [ref("mixup_cutmix", "cutmix_box")(24, 40, 0.47, gen(9)) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    g = gen(9)
    torch.manual_seed(0)
    a = [ref("mixup_cutmix", "cutmix_box")(24, 40, 0.47, g) for _ in range(20)]
    torch.manual_seed(1)
    g = gen(9)
    b = [ref("mixup_cutmix", "cutmix_box")(24, 40, 0.47, g) for _ in range(20)]
    assert a == b and len(set(a)) > 1
