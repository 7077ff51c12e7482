"""Check the references of course part VI (what readers add after the book) against independent
implementations: torch's own routines and the papers' definitions written out."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tests.test_reference import DTYPES, SEEDS, assert_close, assert_grads_close, gen, randn, ref

# ----------------------------------------------------------------------------- group_norm

#: (N, C, *spatial), num_groups: no, one, two and three spatial dimensions, 1 < G < C, G = 1 and G = C.
GROUP_SHAPES = [((3, 6), 2), ((2, 6, 5), 3), ((2, 8, 3, 4), 4), ((3, 4, 2, 3), 1), ((2, 4, 3, 2), 4),
                ((2, 6, 2, 3, 2), 2), ((1, 9, 4, 4), 3)]


def group_norm_by_loops(X, gamma, beta, num_groups, eps):
    """Wu & He 2018, equations 1-3 written out: for each example and group of consecutive channels, the
    mean and the biased variance of its elements, one at a time."""
    N, C = X.shape[:2]
    size = C // num_groups
    out = torch.empty_like(X)
    for n in range(N):
        for g in range(num_groups):
            channels = range(g * size, (g + 1) * size)
            values = torch.cat([X[n, c].reshape(-1) for c in channels])
            mean = values.sum() / values.numel()
            var = ((values - mean) ** 2).sum() / values.numel()
            for c in channels:
                out[n, c] = gamma[c] * (X[n, c] - mean) / torch.sqrt(var + eps) + beta[c]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_group_norm_is_torchs(seed, dtype):
    g = gen(seed)
    for shape, G in GROUP_SHAPES:
        X = (randn(g, *shape, dtype=dtype) * 3 + 1).requires_grad_()
        gamma, beta = randn(g, shape[1], dtype=dtype, requires_grad=True), randn(g, shape[1], dtype=dtype,
                                                                                 requires_grad=True)
        for eps in (1e-5, 0.5):
            out = ref("group_norm")(X, gamma, beta, G, eps=eps)
            want = F.group_norm(X, G, gamma, beta, eps)
            assert out.shape == X.shape and out.dtype == dtype
            assert_close(out, want)
            assert_grads_close(out, want, [X, gamma, beta], seed, dtype)


@pytest.mark.parametrize("seed", SEEDS)
def test_group_norm_is_the_papers_definition(seed):
    g = gen(seed)
    for shape, G in GROUP_SHAPES:
        X, gamma, beta = randn(g, *shape) * 2, randn(g, shape[1]), randn(g, shape[1])
        assert_close(ref("group_norm")(X, gamma, beta, G), group_norm_by_loops(X, gamma, beta, G, 1e-5))


def test_group_norm_ends_are_layer_and_instance_norm():
    """num_groups=1 is layer norm over (C, *) with a per-channel affine; num_groups=C is instance norm."""
    g = gen(0)
    X, gamma, beta = randn(g, 2, 3, 4, 5), randn(g, 3), randn(g, 3)
    layer = F.layer_norm(X, X.shape[1:], eps=1e-5) * gamma[:, None, None] + beta[:, None, None]
    assert_close(ref("group_norm")(X, gamma, beta, 1), layer)
    assert_close(ref("group_norm")(X, gamma, beta, 3), F.instance_norm(X, weight=gamma, bias=beta, eps=1e-5))


def test_group_norm_keeps_its_arguments():
    g = gen(1)
    X, gamma, beta = randn(g, 2, 4, 3), randn(g, 4), randn(g, 4)
    before = [t.clone() for t in (X, gamma, beta)]
    ref("group_norm")(X, gamma, beta, 2)
    assert all(torch.equal(a, b) for a, b in zip((X, gamma, beta), before))


# ----------------------------------------------------------------------------- label_smoothing

def smoothed_loss_by_definition(logits, y, eps):
    """Szegedy et al. 2016, section 7: q'(k) = (1 - eps) delta(k, y) + eps u(k), u(k) = 1 / K; the loss
    -sum_k q'(k) log p(k) per example with p = softmax, one example and one class at a time, then the mean."""
    n, K = logits.shape
    total = 0.0
    for i in range(n):
        log_norm = max(logits[i].tolist())
        log_norm += torch.log(torch.exp(logits[i] - log_norm).sum()).item()
        for k in range(K):
            q = (1 - eps) * (k == int(y[i])) + eps / K
            total -= q * (logits[i, k].item() - log_norm)
    return torch.tensor(total / n, dtype=torch.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_label_smoothing_is_torchs(seed, dtype):
    g = gen(seed)
    for n, K, eps in ((1, 2, 0.1), (4, 3, 0.5), (7, 10, 0.1), (5, 4, 0.0), (3, 6, 1.0)):
        logits = (randn(g, n, K, dtype=dtype) * 3).requires_grad_()
        y = torch.randint(0, K, (n,), generator=g)
        out = ref("label_smoothing", "label_smoothing_loss")(logits, y, eps)
        want = F.cross_entropy(logits, y, label_smoothing=eps)
        assert out.shape == () and out.dtype == dtype
        assert_close(out, want)
        assert_grads_close(out, want, [logits], seed, dtype)


@pytest.mark.parametrize("seed", SEEDS)
def test_label_smoothing_is_the_papers_definition(seed):
    g = gen(seed)
    logits, y = randn(g, 6, 5) * 2, torch.randint(0, 5, (6,), generator=g)
    for eps in (0.0, 0.1, 0.4, 1.0):
        assert_close(ref("label_smoothing", "label_smoothing_loss")(logits, y, eps),
                     smoothed_loss_by_definition(logits, y, eps))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_soft_cross_entropy_is_torchs_with_probability_targets(seed, dtype):
    g = gen(seed)
    for n, K in ((1, 3), (4, 5), (8, 10)):
        logits = (randn(g, n, K, dtype=dtype) * 3).requires_grad_()
        weights = torch.rand(n, K, generator=g, dtype=torch.float64) * (torch.rand(n, K, generator=g) < 0.6)
        weights[:, 0] += 0.1  # no row of zeros
        target = (weights / weights.sum(dim=1, keepdim=True)).to(dtype)
        out = ref("label_smoothing", "soft_cross_entropy")(logits, target)
        want = F.cross_entropy(logits, target)
        assert out.shape == () and out.dtype == dtype
        assert_close(out, want)
        assert_grads_close(out, want, [logits], seed, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_label_smoothing_is_stable_at_a_thousand(dtype):
    """Logits of +-1000: finite and equal to torch's, value and gradient, zeros in the target included."""
    logits = torch.tensor([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 999.0]], dtype=dtype, requires_grad=True)
    y, target = torch.tensor([0, 1]), torch.tensor([[0.0, 0.25, 0.75], [1.0, 0.0, 0.0]], dtype=dtype)
    for out, want in ((ref("label_smoothing", "label_smoothing_loss")(logits, y, 0.1),
                       F.cross_entropy(logits, y, label_smoothing=0.1)),
                      (ref("label_smoothing", "soft_cross_entropy")(logits, target), F.cross_entropy(logits, target))):
        assert torch.isfinite(out) and out > 100
        assert_close(out, want)
        assert_grads_close(out, want, [logits], 0, dtype)


def test_label_smoothing_keeps_its_arguments():
    g = gen(2)
    logits, y = randn(g, 3, 4), torch.tensor([0, 3, 1])
    before = logits.clone(), y.clone()
    ref("label_smoothing", "label_smoothing_loss")(logits, y, 0.2)
    assert torch.equal(logits, before[0]) and torch.equal(y, before[1])
