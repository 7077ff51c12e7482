"""Check the references of attention_scoring, positional_encoding and patch_embedding (D2L 11.2, 11.3,
11.6, 11.8) against independent implementations: torch's own routines, the book's modules, and the
values the book prints."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.test_reference import DTYPES, SEEDS, _forbidden_ops, _OpRecorder, gen, randn, ref

# ----------------------------------------------------------------------------- attention_scoring


def _grads(out, inputs, g):
    weights = torch.randn(out.shape, generator=g, dtype=out.dtype)
    return torch.autograd.grad((out * weights).sum(), inputs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_nadaraya_watson_is_sdpa_with_a_gaussian_score(seed, dtype):
    """-(q - k)^2 / 2 = q k - k^2 / 2 - q^2 / 2, and the last term is the same for every key of a query:
    scaled_dot_product_attention with queries [q, 1], keys [k, -k^2 / 2] and scale 1 gives the same weights."""
    g = gen(seed)
    x_train = (torch.rand(12 + seed, generator=g, dtype=torch.float64) * 5).to(dtype).requires_grad_()
    y_train = randn(g, 12 + seed, dtype=dtype, requires_grad=True)
    x_query = (torch.rand(7, generator=g, dtype=torch.float64) * 5).to(dtype).requires_grad_()
    got = ref("attention_scoring", "nadaraya_watson")(x_train, y_train, x_query)
    Q = torch.stack([x_query, torch.ones_like(x_query)], dim=-1)[None]
    K = torch.stack([x_train, -x_train ** 2 / 2], dim=-1)[None]
    want = F.scaled_dot_product_attention(Q, K, y_train[None, :, None], scale=1.0)[0, :, 0]
    assert got.shape == (7,) and got.dtype == dtype
    torch.testing.assert_close(got, want)
    inputs = (x_train, y_train, x_query)
    for a, b in zip(_grads(got, inputs, gen(seed)), _grads(want, inputs, gen(seed))):
        torch.testing.assert_close(a, b)


def test_nadaraya_watson_far_queries_take_the_nearest_point():
    x_train = torch.tensor([0.0, 1.0, 2.5], dtype=torch.float64)
    y_train = torch.tensor([3.0, -1.0, 2.0], dtype=torch.float64)
    got = ref("attention_scoring", "nadaraya_watson")(x_train, y_train, torch.tensor([-40.0, 45.0], dtype=torch.float64))
    assert torch.isfinite(got).all()
    # weights exp(0), exp(-40.5), exp(-102.5) for -40; the last point's weight is ~1 for 45
    torch.testing.assert_close(got, torch.tensor([3.0, 2.0], dtype=torch.float64))


def _valid_lens(g, B, n_q, n_k, per_query, low=1):
    shape = (B, n_q) if per_query else (B,)
    return torch.randint(low, n_k + 1, shape, generator=g)


def _mask(valid_lens, n_q, n_k):
    """True where masked, (B, n_q, n_k), for torch._masked_softmax."""
    lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
    return (torch.arange(n_k) >= lens[..., None]).expand(lens.shape[0], n_q, n_k)


@pytest.mark.parametrize("per_query", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_masked_softmax_matches_torchs_masked_softmax(seed, dtype, per_query):
    g = gen(seed)
    B, n_q, n_k = 3, 4, 6
    X = randn(g, B, n_q, n_k, dtype=dtype, requires_grad=True)
    valid_lens = _valid_lens(g, B, n_q, n_k, per_query)
    got = ref("attention_scoring", "masked_softmax")(X, valid_lens)
    want = torch._masked_softmax(X, _mask(valid_lens, n_q, n_k), -1, 0)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(_grads(got, (X,), gen(seed))[0], _grads(want, (X,), gen(seed))[0])
    torch.testing.assert_close(ref("attention_scoring", "masked_softmax")(X, None), torch.softmax(X, -1))


def test_masked_softmax_length_zero_is_uniform_and_x_untouched():
    """The book fills -1e6: a row with nothing valid is all -1e6, so every position weighs 1 / n_k."""
    X = torch.randn(2, 2, 4)
    before = X.clone()
    got = ref("attention_scoring", "masked_softmax")(X, torch.tensor([[0, 2], [4, 0]]))
    torch.testing.assert_close(got[0, 0], torch.full((4,), 0.25))
    torch.testing.assert_close(got[1, 1], torch.full((4,), 0.25))
    assert torch.equal(X, before)


def _book_sequence_mask(X, valid_len, value=0):
    """d2l.sequence_mask (D2L 9.7 / 10.7), as printed."""
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


def _book_masked_softmax(X, valid_lens):
    """D2L 11.3's masked_softmax, as printed (it writes into X; callers pass a copy)."""
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    X = _book_sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return nn.functional.softmax(X.reshape(shape), dim=-1)


class _BookAdditiveAttention(nn.Module):
    """D2L 11.3's AdditiveAttention, as printed (dropout 0)."""

    def __init__(self, key_size, query_size, num_hiddens):
        super().__init__()
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)

    def forward(self, queries, keys, values, valid_lens):
        queries, keys = self.W_q(queries), self.W_k(keys)
        features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)
        return torch.bmm(_book_masked_softmax(scores, valid_lens), values)


@pytest.mark.parametrize("mask", [None, "batch", "query"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_additive_attention_matches_the_books_module(seed, dtype, mask):
    g = gen(seed)
    B, n_q, n_k, d_q, d_k, d_v, h = 2, 3, 5, 4, 6, 3, 7
    torch.manual_seed(seed)
    book = _BookAdditiveAttention(d_k, d_q, h).to(dtype)
    queries = randn(g, B, n_q, d_q, dtype=dtype, requires_grad=True)
    keys = randn(g, B, n_k, d_k, dtype=dtype, requires_grad=True)
    values = randn(g, B, n_k, d_v, dtype=dtype, requires_grad=True)
    valid_lens = None if mask is None else _valid_lens(g, B, n_q, n_k, mask == "query")
    W_q, W_k = (book.W_q.weight.detach().clone().requires_grad_(), book.W_k.weight.detach().clone().requires_grad_())
    w_v = book.w_v.weight.detach()[0].clone().requires_grad_()
    got = ref("attention_scoring", "additive_attention")(queries, keys, values, valid_lens, W_q, W_k, w_v)
    want = book(queries, keys, values, valid_lens)
    assert got.shape == (B, n_q, d_v) and got.dtype == dtype
    torch.testing.assert_close(got, want)
    mine = _grads(got, (queries, keys, values, W_q, W_k, w_v), gen(seed))
    theirs = _grads(want, (queries, keys, values, book.W_q.weight, book.W_k.weight, book.w_v.weight), gen(seed))
    for a, b in zip(mine, theirs):
        torch.testing.assert_close(a, b.reshape(a.shape))


def test_additive_attention_prints_the_books_values():
    """D2L 11.3: identical keys, values 0..39, valid lengths [2, 6] print [[2, 3, 4, 5]] and [[10, 11, 12, 13]]."""
    g = gen(0)
    queries, keys = randn(g, 2, 1, 20, dtype=torch.float32), torch.ones((2, 10, 2))
    values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
    W_q, W_k, w_v = randn(g, 8, 20, dtype=torch.float32), randn(g, 8, 2, dtype=torch.float32), randn(g, 8, dtype=torch.float32)
    got = ref("attention_scoring", "additive_attention")(queries, keys, values, torch.tensor([2, 6]), W_q, W_k, w_v)
    torch.testing.assert_close(got, torch.tensor([[[2.0, 3.0, 4.0, 5.0]], [[10.0, 11.0, 12.0, 13.0]]]))


def test_attention_scoring_references_run_no_forbidden_op():
    g = gen(5)
    X = randn(g, 2, 3, 4, requires_grad=True)
    tensors = [randn(g, 2, 3, 4), randn(g, 2, 5, 3), randn(g, 2, 5, 2), torch.tensor([2, 4]),
               randn(g, 6, 4), randn(g, 6, 3), randn(g, 6)]
    with _OpRecorder() as recorder:
        ref("attention_scoring", "nadaraya_watson")(randn(g, 5), randn(g, 5), randn(g, 3))
        ref("attention_scoring", "masked_softmax")(X, torch.tensor([[1, 2, 3], [4, 0, 2]])).sum().backward()
        ref("attention_scoring", "additive_attention")(*tensors)
    assert not _forbidden_ops("attention_scoring", recorder.ops)
    with _OpRecorder() as recorder:
        F.scaled_dot_product_attention(randn(g, 1, 2, 3), randn(g, 1, 2, 3), randn(g, 1, 2, 3))
    assert _forbidden_ops("attention_scoring", recorder.ops)


# ----------------------------------------------------------------------------- positional_encoding


class _BookPositionalEncoding(nn.Module):
    """D2L 11.6's PositionalEncoding table, as printed (even num_hiddens only)."""

    def __init__(self, num_hiddens, max_len=1000):
        super().__init__()
        self.P = torch.zeros((1, max_len, num_hiddens))
        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)


@pytest.mark.parametrize("num_steps, num_hiddens", [(1, 2), (60, 32), (100, 64), (7, 6)])
def test_positional_encoding_matches_the_books_table(num_steps, num_hiddens):
    got = ref("positional_encoding")(num_steps, num_hiddens)
    assert got.shape == (num_steps, num_hiddens) and got.dtype == torch.float32 and got.device.type == "cpu"
    torch.testing.assert_close(got, _BookPositionalEncoding(num_hiddens).P[0, :num_steps], rtol=0, atol=2e-5)


@pytest.mark.parametrize("num_hiddens", [1, 3, 7, 33])
def test_positional_encoding_odd_width_follows_the_formula_column_by_column(num_hiddens):
    got = ref("positional_encoding")(12, num_hiddens, dtype=torch.float64)
    for i in range(12):
        for col in range(num_hiddens):
            angle = i / 10000 ** ((col - col % 2) / num_hiddens)
            assert got[i, col].item() == pytest.approx(math.sin(angle) if col % 2 == 0 else math.cos(angle), abs=1e-12)


def test_positional_encoding_dtype_and_device():
    got = ref("positional_encoding")(5, 4, dtype=torch.float64, device="meta")
    assert got.shape == (5, 4) and got.dtype == torch.float64 and got.device.type == "meta"


# ----------------------------------------------------------------------------- patch_embedding


@pytest.mark.parametrize("shape, d, patch_size", [((2, 3, 32, 32), 64, 16), ((1, 2, 7, 9), 3, 3),
                                                  ((2, 1, 9, 4), 2, (3, 2)), ((3, 3, 6, 6), 5, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_patch_embedding_is_the_books_strided_convolution(shape, d, patch_size, dtype):
    g = gen(sum(shape))
    ph, pw = (patch_size, patch_size) if isinstance(patch_size, int) else patch_size
    X = randn(g, *shape, dtype=dtype, requires_grad=True)
    weight = randn(g, d, shape[1], ph, pw, dtype=dtype, requires_grad=True)
    bias = randn(g, d, dtype=dtype, requires_grad=True)
    got = ref("patch_embedding")(X, weight, bias, patch_size)
    want = F.conv2d(X, weight, bias, stride=patch_size).flatten(2).transpose(1, 2)
    assert got.shape == want.shape == (shape[0], (shape[2] // ph) * (shape[3] // pw), d) and got.dtype == dtype
    close = {"rtol": 1e-4, "atol": 2e-4} if dtype == torch.float32 else {}   # sums of 768 products
    torch.testing.assert_close(got, want, **close)
    for a, b in zip(_grads(got, (X, weight, bias), gen(1)), _grads(want, (X, weight, bias), gen(1))):
        torch.testing.assert_close(a, b, **close)


def test_patch_embedding_book_sizes_give_the_books_shape():
    """D2L 11.8: 96 x 96 images, 16 x 16 patches, 512 hidden units give (batch, 36, 512)."""
    X, weight, bias = torch.zeros(4, 3, 96, 96), torch.zeros(512, 3, 16, 16), torch.zeros(512)
    assert ref("patch_embedding")(X, weight, bias, 16).shape == (4, 36, 512)


def test_patch_embedding_reference_runs_no_forbidden_op():
    g = gen(2)
    with _OpRecorder() as recorder:
        ref("patch_embedding")(randn(g, 1, 2, 4, 6, requires_grad=True), randn(g, 3, 2, 2, 2), randn(g, 3),
                               2).sum().backward()
    assert not _forbidden_ops("patch_embedding", recorder.ops)
    with _OpRecorder() as recorder:
        F.unfold(randn(g, 1, 2, 4, 4), kernel_size=2, stride=2)
    assert _forbidden_ops("patch_embedding", recorder.ops)
