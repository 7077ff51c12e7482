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


def book_value_iteration(P, R, gamma, num_iters):
    """D2L 17.2's loops: V and pi kept per sweep, Q[k, s, a] summed over next states from V[k - 1]."""
    S, A = R.shape
    V = [[0.0] * S]
    for k in range(1, num_iters + 1):
        Q = [[float(R[s, a]) + gamma * sum(float(P[s, a, t]) * V[k - 1][t] for t in range(S)) for a in range(A)]
             for s in range(S)]
        V.append([max(row) for row in Q])
        pi = [row.index(max(row)) for row in Q]  # the first maximum
    return torch.tensor(V[num_iters], dtype=torch.float64), torch.tensor(pi)


@pytest.mark.parametrize("seed", SEEDS)
def test_value_iteration_is_the_books_loops(seed):
    g = gen(seed)
    P = torch.softmax(randn(g, 5, 3, 5) * 2, dim=2)
    R = randn(g, 5, 3)
    for num_iters in (1, 2, 7):
        V, pi = ref("value_iteration")(P, R, 0.9, num_iters)
        want_V, want_pi = book_value_iteration(P, R, 0.9, num_iters)
        assert_close(V, want_V)
        assert pi.dtype == torch.int64 and torch.equal(pi, want_pi)


def test_value_iteration_breaks_ties_to_the_lowest_action():
    P = torch.zeros(2, 3, 2, dtype=torch.float64)
    P[:, :, 0] = 1.0
    R = torch.tensor([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0]], dtype=torch.float64)
    assert ref("value_iteration")(P, R, 0.5, 3)[1].tolist() == [0, 1]


def test_q_update_is_the_books_line_on_a_copy():
    g = gen(0)
    Q = randn(g, 4, 3)
    before = Q.clone()
    for s, a, s_next in ((0, 1, 2), (2, 2, 2)):
        new = ref("value_iteration", "q_update")(Q, s, a, 0.7, s_next, 0.9, 0.95)
        want = before.clone()
        want[s, a] = before[s, a] + 0.9 * (0.7 + 0.95 * before[s_next].max() - before[s, a])
        assert_close(new, want)
        assert torch.equal(Q, before)
