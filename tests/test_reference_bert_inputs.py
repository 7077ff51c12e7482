"""Check the reference of bert_inputs (D2L 15.8) against independent implementations: the book's printed
example of the input sequence, the segment IDs counted token by token, and MaskLM against a loop over the
(sequence, position) pairs with torch's own F.linear, F.relu and F.layer_norm in float64, its gradients
included (a position predicted twice adds up)."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from tests.test_reference import DTYPES, SEEDS, gen, ref


def test_the_books_pair():
    tokens, segments = ref("bert_inputs", "get_tokens_and_segments")(["this", "movie"], ["is", "great"])
    assert tokens == ["<cls>", "this", "movie", "<sep>", "is", "great", "<sep>"]
    assert segments == [0, 0, 0, 0, 1, 1, 1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("pair", [False, True])
def test_segments_follow_the_separators(seed, pair):
    """Segment ID = the number of '<sep>' strictly before the token; lists untouched; a tuple of two lists."""
    g = gen(seed)
    a = [f"a{i}" for i in range(int(torch.randint(0, 5, (), generator=g)))]
    b = [f"b{i}" for i in range(int(torch.randint(0, 5, (), generator=g)))] if pair else None
    a0, b0 = list(a), None if b is None else list(b)
    result = ref("bert_inputs", "get_tokens_and_segments")(a, b) if pair else \
        ref("bert_inputs", "get_tokens_and_segments")(a)
    assert type(result) is tuple and all(type(x) is list for x in result)
    tokens, segments = result
    assert tokens == ["<cls>"] + a0 + ["<sep>"] + ([] if b0 is None else b0 + ["<sep>"])
    want, seen = [], 0
    for t in tokens:
        want.append(min(seen, 1))
        seen += t == "<sep>"
    assert segments == want and a == a0 and b == b0


def mask_lm_by_loops(state, X, pos):
    """For each (i, j): the book's MLP applied to X[i, pos[i, j]], in float64."""
    s = {k: v.double() for k, v in state.items()}
    B, P = pos.shape
    out = []
    for i in range(B):
        row = []
        for j in range(P):
            x = X[i, int(pos[i, j])].double()
            h = F.relu(F.linear(x, s["mlp.0.weight"], s["mlp.0.bias"]))
            h = F.layer_norm(h, h.shape, s["mlp.2.weight"], s["mlp.2.bias"])
            row.append(F.linear(h, s["mlp.3.weight"], s["mlp.3.bias"]))
        out.append(torch.stack(row))
    return torch.stack(out)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_mask_lm_matches_loops(seed, dtype):
    g = gen(seed)
    B, T, d, h, V, P = 2 + seed, 6, 3 + seed, 4, 7, 3
    net = ref("bert_inputs", "MaskLM")(V, h)
    pos = torch.randint(0, T, (B, P), generator=g)
    pos[:, -1] = pos[:, 0]  # a repeated position
    X = torch.randn(B, T, d, generator=g, dtype=torch.float64).to(dtype).requires_grad_()
    net(X.detach().float(), pos)  # the lazy layers get their shapes (float32 until .to)
    net.to(dtype)
    state = {k: torch.randn(v.shape, generator=g, dtype=torch.float64).to(dtype) for k, v in net.state_dict().items()}
    net.load_state_dict(state)
    got = net(X, pos)
    assert got.shape == (B, P, V) and got.dtype == dtype
    X64 = X.detach().double().requires_grad_()
    want = mask_lm_by_loops(state, X64, pos)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {"rtol": 1e-10, "atol": 1e-10}
    torch.testing.assert_close(got.double(), want, **tol)
    G = torch.randn(B, P, V, generator=g, dtype=torch.float64)
    (gx,) = torch.autograd.grad((got * G.to(dtype)).sum(), X)
    (wx,) = torch.autograd.grad((want * G).sum(), X64)
    torch.testing.assert_close(gx.double(), wx, **tol)
    assert list(dict(net.named_parameters())) == ["mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias",
                                                  "mlp.3.weight", "mlp.3.bias"]
