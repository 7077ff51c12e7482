"""Check the reference of decomposable_attention (D2L 16.5) against an independent implementation: the mlp as
explicit matrix products, e, beta and alpha as loops over tokens with the softmax written out, Compare by
concatenating each token with its aligned vector one at a time."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from tests.test_reference import DTYPES, SEEDS, gen, load_solution


def _load(net: nn.Module, g: torch.Generator, dtype) -> None:
    """Random weights for every parameter of `net` (float64 draws, then `dtype`)."""
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64).to(dtype) * 0.6)


def mlp_by_hand(state: dict, first: str, second: str, X: torch.Tensor) -> torch.Tensor:
    """relu(W2 relu(W1 x + b1) + b2) for each vector x on the last axis, written as matmuls."""
    h = (X @ state[f"{first}.weight"].T + state[f"{first}.bias"]).clamp(min=0)
    return (h @ state[f"{second}.weight"].T + state[f"{second}.bias"]).clamp(min=0)


def attend_by_loops(fA, fB, A, B):
    """beta_i = sum_j exp(e_ij) / sum_k exp(e_ik) b_j, alpha_j = sum_i exp(e_ij) / sum_k exp(e_kj) a_i."""
    batch, m, n = A.shape[0], A.shape[1], B.shape[1]
    beta, alpha = torch.zeros_like(A), torch.zeros_like(B)
    for s in range(batch):
        e = [[float(fA[s, i] @ fB[s, j]) for j in range(n)] for i in range(m)]
        for i in range(m):
            z = sum(math.exp(e[i][k]) for k in range(n))
            beta[s, i] = sum(math.exp(e[i][j]) / z * B[s, j] for j in range(n))
        for j in range(n):
            z = sum(math.exp(e[k][j]) for k in range(m))
            alpha[s, j] = sum(math.exp(e[i][j]) / z * A[s, i] for i in range(m))
    return beta, alpha


def _tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {"rtol": 1e-10, "atol": 1e-10}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("flatten", [False, True])
def test_mlp_matches_matrix_products(seed, dtype, flatten):
    g = gen(seed)
    net = load_solution("decomposable_attention").mlp(3, 4, flatten).to(dtype).eval()
    _load(net, g, dtype)
    kinds = [type(layer).__name__ for layer in net]
    extra = ["Flatten"] if flatten else []
    assert kinds == ["Dropout", "Linear", "ReLU", *extra, "Dropout", "Linear", "ReLU", *extra]
    assert all(layer.p == 0.2 for layer in net if isinstance(layer, nn.Dropout))
    X = torch.randn(2, 1, 3, generator=g, dtype=torch.float64).to(dtype)
    want = mlp_by_hand(net.state_dict(), "1", "5" if flatten else "4", X)
    torch.testing.assert_close(net(X), want.reshape(2, 4) if flatten else want, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("m, n, d, h", [(2, 3, 2, 3), (4, 4, 3, 5), (3, 1, 4, 4)])
def test_attend_matches_loops(seed, dtype, m, n, d, h):
    g = gen(seed)
    attend = load_solution("decomposable_attention").Attend(d, h).to(dtype).eval()
    _load(attend, g, dtype)
    A = torch.randn(2, m, d, generator=g, dtype=torch.float64).to(dtype)
    B = torch.randn(2, n, d, generator=g, dtype=torch.float64).to(dtype)
    state = attend.state_dict()
    fA, fB = mlp_by_hand(state, "f.1", "f.4", A), mlp_by_hand(state, "f.1", "f.4", B)
    beta, alpha = attend(A, B)
    want_beta, want_alpha = attend_by_loops(fA, fB, A, B)
    assert beta.shape == (2, m, d) and alpha.shape == (2, n, d) and beta.dtype == dtype
    torch.testing.assert_close(beta, want_beta, **_tol(dtype))
    torch.testing.assert_close(alpha, want_alpha, **_tol(dtype))
    # The same through einsum, another route to e.
    e = torch.einsum("bih,bjh->bij", fA, fB)
    torch.testing.assert_close(beta, torch.einsum("bij,bjd->bid", e.softmax(-1), B), **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_compare_matches_tokenwise_concatenation(seed, dtype):
    g = gen(seed)
    d, h, m, n = 3, 4, 2, 5
    compare = load_solution("decomposable_attention").Compare(2 * d, h).to(dtype).eval()
    _load(compare, g, dtype)
    A, beta = (torch.randn(2, m, d, generator=g, dtype=torch.float64).to(dtype) for _ in range(2))
    B, alpha = (torch.randn(2, n, d, generator=g, dtype=torch.float64).to(dtype) for _ in range(2))
    V_A, V_B = compare(A, B, beta, alpha)
    state = compare.state_dict()
    for V, X, aligned in ((V_A, A, beta), (V_B, B, alpha)):
        for s in range(2):
            for i in range(X.shape[1]):
                token = torch.cat([X[s, i], aligned[s, i]])  # the token first, then its aligned vector
                torch.testing.assert_close(V[s, i], mlp_by_hand(state, "g.1", "g.4", token), **_tol(dtype))
