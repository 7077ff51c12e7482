"""Check the reference of text_cnn (D2L 16.3) against an independent implementation: the embeddings looked up
by indexing, each convolution as a sum over its window written out per step, the average over time as a sum
of steps, the decoder as a matrix product; and the frozen constant embedding, the dropout's place and p."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tests.test_reference import DTYPES, SEEDS, gen, load_solution


def _load(net: nn.Module, g: torch.Generator, dtype) -> None:
    """Random weights for every parameter of `net` (float64 draws, then `dtype`), conv biases around 0.5."""
    with torch.no_grad():
        for name, p in net.named_parameters():
            shift = 0.5 if name.startswith("convs.") and name.endswith(".bias") else 0.0
            p.copy_((torch.randn(p.shape, generator=g, dtype=torch.float64) * 0.6 + shift).to(dtype))


def text_cnn_by_hand(state: dict, X: torch.Tensor, n_convs: int) -> torch.Tensor:
    """For each sentence: the two embeddings' rows side by side, per conv y[c, t] = b[c] + sum_{j, k}
    W[c, j, k] E[t + k, j], the mean over t, its ReLU; the features concatenated; then W_dec f + b_dec."""
    E = torch.cat([state["embedding.weight"][X], state["constant_embedding.weight"][X]], dim=-1)  # (B, T, 2d)
    rows = []
    for s in range(X.shape[0]):
        features = []
        for i in range(n_convs):
            W, b = state[f"convs.{i}.weight"], state[f"convs.{i}.bias"]
            k = W.shape[-1]
            steps = X.shape[1] - k + 1
            total = torch.zeros_like(b)
            for t in range(steps):
                window = E[s, t:t + k].T  # (2d, k)
                total = total + b + (W * window).sum(dim=(1, 2))
            features.append((total / steps).clamp(min=0))
        f = torch.cat(features)
        rows.append(state["decoder.weight"] @ f + state["decoder.bias"])
    return torch.stack(rows)


def _tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {"rtol": 1e-10, "atol": 1e-10}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("V, d, ks, cs, T", [(6, 2, [2], [3], 4), (20, 5, [3, 4, 5], [4, 3, 5], 9),
                                             (10, 2, [3, 4], [2, 2], 4)])
def test_text_cnn_matches_windows_written_out(seed, dtype, V, d, ks, cs, T):
    g = gen(seed)
    net = load_solution("text_cnn").TextCNN(V, d, ks, cs).to(dtype).eval()
    _load(net, g, dtype)
    X = torch.randint(V, (3, T), generator=g)
    out = net(X)
    assert out.shape == (3, 2) and out.dtype == dtype
    torch.testing.assert_close(out, text_cnn_by_hand(net.state_dict(), X, len(ks)), **_tol(dtype))


def test_constant_embedding_is_frozen_and_the_rest_trains():
    net = load_solution("text_cnn").TextCNN(7, 3, [2, 3], [2, 4]).eval()
    flags = {name: p.requires_grad for name, p in net.named_parameters()}
    assert flags.pop("constant_embedding.weight") is False and all(flags.values())
    assert sorted(flags) == sorted(["embedding.weight", "convs.0.weight", "convs.0.bias", "convs.1.weight",
                                    "convs.1.bias", "decoder.weight", "decoder.bias"])
    X = torch.randint(7, (2, 5), generator=gen(0))
    net(X).sum().backward()
    assert net.constant_embedding.weight.grad is None
    assert all(p.grad is not None for name, p in net.named_parameters() if name != "constant_embedding.weight")


def test_training_mode_drops_the_encoding_with_p_half():
    """In training mode the output is the decoder of the encoding with each feature zeroed or doubled."""
    net = load_solution("text_cnn").TextCNN(9, 2, [2, 3], [2, 1]).to(torch.float64)
    _load(net, gen(1), torch.float64)
    assert isinstance(net.dropout, nn.Dropout) and net.dropout.p == 0.5
    X = torch.randint(9, (64, 5), generator=gen(2))
    encoding = {}
    net.decoder.register_forward_pre_hook(lambda module, args: encoding.setdefault("x", args[0]))
    net.eval()
    clean = torch.cat([net.relu(net.pool(conv(torch.cat((net.embedding(X), net.constant_embedding(X)), 2)
                                              .permute(0, 2, 1)))).squeeze(-1) for conv in net.convs], 1)
    net.train()
    torch.manual_seed(3)
    net(X)
    ratio = encoding["x"] / clean
    kept = ratio.isclose(torch.tensor(2.0, dtype=torch.float64))
    assert bool((kept | (encoding["x"] == 0)).all())
    positive = clean > 0
    assert int(positive.sum()) > 50
    assert 0.3 < kept[positive].double().mean().item() < 0.7
