"""Check the references of the book's last chapters (D2L 14.11-21) against independent implementations."""

from __future__ import annotations

import itertools

import pytest
import torch

from tests.test_reference import DTYPES, SEEDS, assert_close, assert_grads_close, gen, randn, ref


def fm_by_pairs(X, w0, w, V):
    """Rendle's model as written, O(k n^2): every pair i < j once, by explicit loops."""
    pairwise = [sum((V[i] * V[j]).sum() * X[b, i] * X[b, j] for i, j in itertools.combinations(range(X.shape[1]), 2))
                for b in range(X.shape[0])]
    return w0 + X @ w + torch.stack(pairwise)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_fm_is_the_double_sum_over_pairs(seed, dtype):
    g = gen(seed)
    X, w0, w, V = (randn(g, 4, 6, dtype=dtype, requires_grad=True), randn(g, 1, dtype=dtype)[0].requires_grad_(),
                   randn(g, 6, dtype=dtype, requires_grad=True), randn(g, 6, 3, dtype=dtype, requires_grad=True))
    out = ref("factorization_machine", "fm")(X, w0, w, V)
    want = fm_by_pairs(X, w0, w, V)
    assert out.shape == (4,) and out.dtype == dtype
    assert_close(out, want)
    assert_grads_close(out, want, [X, w0, w, V], seed, dtype)


def test_fm_on_one_hot_fields_is_the_books_embedding_sum():
    """D2L 21.9 embeds each field's index: the score equals the dense model on the multi-hot X."""
    g = gen(0)
    fields, k = (3, 4, 2), 5
    V, w, w0 = randn(g, sum(fields), k), randn(g, sum(fields)), randn(g, 1)[0]
    idx = torch.stack([torch.randint(n, (7,), generator=g) for n in fields], dim=1) + torch.tensor([0, 3, 7])
    E = V[idx]  # (B, fields, k), the book's self.embedding(x)
    book = w0 + w[idx].sum(1) + 0.5 * (E.sum(1) ** 2 - (E ** 2).sum(1)).sum(1)
    X = torch.zeros(7, sum(fields), dtype=torch.float64).scatter_(1, idx, 1.0)
    assert_close(ref("factorization_machine", "fm")(X, w0, w, V), book)
