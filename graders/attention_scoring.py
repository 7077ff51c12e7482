"""Grader for attention_scoring (D2L 11.2, 11.3): Nadaraya-Watson pooling (values, far queries), the
book's masked softmax (both valid_lens forms, a length of 0) and additive attention (broadcasting,
masks, the book's example), float64 and gradients."""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import missing_keepdim

NW_NAMES = ("x_train", "y_train", "x_query")
MS_NAMES = ("X", "valid_lens")
AA_NAMES = ("queries", "keys", "values", "valid_lens", "W_q", "W_k", "w_v")

HINTS = {
    "nadaraya-watson values": "weight[j, i] = softmax over the training points i of -(x_query[j] - x_train[i]) ** 2 "
                              "/ 2: build the (m, n) differences x_query[:, None] - x_train[None, :], softmax over "
                              "dim 1, then @ y_train (D2L 11.2)",
    "far queries": "normalise with a softmax (it subtracts each row's maximum): exp(-d ** 2 / 2) of a distance of 40 "
                   "underflows to 0 in every column, and 0 / 0 is nan",
    "no mask": "valid_lens=None is a plain softmax over the last axis (the keys)",
    "valid_lens per batch row": "a (B,) valid_lens applies valid_lens[b] to every query of row b: compare "
                                "torch.arange(n_k) with valid_lens[:, None, None] (or repeat_interleave the lengths "
                                "n_q times, not repeat), set positions >= the length to -1e6, softmax over the last axis",
    "valid_lens per query": "a (B, n_q) valid_lens gives each query its own length: positions "
                            "torch.arange(n_k) >= valid_lens[..., None] are masked",
    "a length of 0": "masked scores are replaced by -1e6, as in the book: a row whose length is 0 is all -1e6 and "
                     "its softmax is 1 / n_k everywhere (-inf gives nan, subtracting 1e6 keeps the row's softmax)",
    "additive attention values": "score(q_i, k_j) = w_v . tanh(W_q q_i + W_k k_j): (queries @ W_q.T)[:, :, None, :] + "
                                 "(keys @ W_k.T)[:, None, :, :], tanh, @ w_v gives (B, n_q, n_k); masked softmax over "
                                 "the keys, then @ values (D2L 11.3)",
    "additive attention masks": "the scores (B, n_q, n_k) go through the masked softmax with the same valid_lens forms: "
                                "(B,) for every query of a row, (B, n_q) per query",
    "the book's example": "with identical keys every valid key gets the same weight: the result is the mean of the "
                          "first valid_lens[b] rows of values (D2L 11.3 prints [[2, 3, 4, 5]] and [[10, 11, 12, 13]])",
    "float64": "keep the inputs' dtype: no .float(), .type(torch.float32) or new float32 tensors",
}

#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    missing_keepdim("a sum or max over the last axis without keepdim=True drops it, so the division cannot "
                    "broadcast: keep it with keepdim=True (or use torch.softmax, which is allowed)"),
)


def _randn(gen, *shape, dtype=torch.float32, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype)


def _grad_outputs(gen, shape, dtype):
    return [_randn(gen, *shape, dtype=dtype)]


# --------------------------------------------------------------------------- nadaraya_watson

def _nw_case(prop, gen, x_train, y_train, x_query):
    return Case(property=prop, function="nadaraya_watson", args=(x_train, y_train, x_query), names=NW_NAMES,
                label="nadaraya_watson(x_train, y_train, x_query)", grad=((0,), (1,), (2,)),
                grad_outputs=_grad_outputs(gen, (x_query.shape[0],), x_query.dtype),
                hint=HINTS[prop if prop in HINTS else "nadaraya-watson values"])


def _nw_random(gen, n, m, dtype=torch.float32, spread=5.0):
    x_train = (torch.rand(n, generator=gen, dtype=torch.float64) * spread).sort().values.to(dtype)
    y_train = (2 * torch.sin(x_train.double()) + x_train.double() ** 0.8 + _randn(gen, n, dtype=torch.float64)
               * 0.5).to(dtype)
    x_query = (torch.rand(m, generator=gen, dtype=torch.float64) * spread).to(dtype)
    return x_train, y_train, x_query


def _nw_cases(gen):
    cases = [_nw_case("nadaraya-watson values", gen, torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, -2.0, 4.0]),
                      torch.tensor([0.5, 1.5, 3.0, -1.0]))]
    for n, m in ((6, 4), (20, 7), (9, 13)):
        cases.append(_nw_case("nadaraya-watson values", gen, *_nw_random(gen, n, m)))
    # queries 40 and more away from every training point: exp(-d**2 / 2) underflows in every column, even in
    # float64 (whose exponent bottoms out near -745); in float64 so that a correct softmax's gradients, taken
    # from differences of logits near -1000, keep their precision.
    f64 = torch.float64
    cases.append(_nw_case("far queries", gen, torch.tensor([0.0, 1.0, 2.5], dtype=f64),
                          torch.tensor([3.0, -1.0, 2.0], dtype=f64), torch.tensor([-40.0, 1.0, 45.0], dtype=f64)))
    x_train, y_train, _ = _nw_random(gen, 8, 1, dtype=f64)
    cases.append(_nw_case("far queries", gen, x_train, y_train, torch.tensor([45.0, -50.0, 2.0], dtype=f64)))
    cases.append(_nw_case("float64", gen, *_nw_random(gen, 10, 6, dtype=torch.float64)))
    return cases


# --------------------------------------------------------------------------- masked_softmax

def _masked_scores(gen, B, n_q, n_k, dtype=torch.float32):
    """Scores with large values at the last positions, so a weight leaking past a mask shows at once."""
    X = _randn(gen, B, n_q, n_k, dtype=torch.float64)
    X[..., n_k // 2:] += 4.0
    return X.to(dtype)


def _ms_case(prop, gen, X, valid_lens, hint_prop=None):
    lens = "None" if valid_lens is None else f"torch.tensor({valid_lens.tolist()})"
    return Case(property=prop, function="masked_softmax", args=(X, valid_lens), names=MS_NAMES,
                label=f"masked_softmax(X, valid_lens={lens})", grad=((0,),),
                grad_outputs=_grad_outputs(gen, X.shape, X.dtype), hint=HINTS[hint_prop or prop])


def _lens_batch(gen, B, n_k, low=1):
    """(B,) lengths in [low, n_k], not all equal, at least one < n_k."""
    while True:
        lens = torch.randint(low, n_k + 1, (B,), generator=gen)
        if bool((lens < n_k).any()) and len(set(lens.tolist())) > 1:
            return lens


def _lens_query(gen, B, n_q, n_k, low=1):
    """(B, n_q) lengths in [low, n_k], varying across the queries of each row and across rows."""
    while True:
        lens = torch.randint(low, n_k + 1, (B, n_q), generator=gen)
        if all(len(set(row)) > 1 for row in lens.tolist()) and not bool((lens == lens[:1]).all()):
            return lens


def _ms_cases(gen):
    cases = [_ms_case("no mask", gen, _masked_scores(gen, 2, 2, 4), None),
             _ms_case("no mask", gen, _masked_scores(gen, 2, 3, 5), None)]
    # the book's example: (B,) = [2, 3] over (2, 2, 4); repeat instead of repeat_interleave swaps lengths
    cases.append(_ms_case("valid_lens per batch row", gen, _masked_scores(gen, 2, 2, 4), torch.tensor([2, 3])))
    cases.append(_ms_case("valid_lens per batch row", gen, _masked_scores(gen, 3, 2, 5), torch.tensor([1, 4, 2])))
    cases.append(_ms_case("valid_lens per batch row", gen, _masked_scores(gen, 3, 4, 6), _lens_batch(gen, 3, 6)))
    # the book's (B, n_q) example, [[1, 3], [2, 4]], then random ones with n_q != n_k
    cases.append(_ms_case("valid_lens per query", gen, _masked_scores(gen, 2, 2, 4), torch.tensor([[1, 3], [2, 4]])))
    cases.append(_ms_case("valid_lens per query", gen, _masked_scores(gen, 2, 3, 5), _lens_query(gen, 2, 3, 5)))
    cases.append(_ms_case("a length of 0", gen, _masked_scores(gen, 2, 2, 4), torch.tensor([0, 3])))
    cases.append(_ms_case("a length of 0", gen, _masked_scores(gen, 2, 3, 4), torch.tensor([[2, 0, 4], [0, 1, 3]])))
    cases.append(_ms_case("float64", gen, _masked_scores(gen, 2, 3, 5, torch.float64), _lens_query(gen, 2, 3, 5)))
    return cases


# --------------------------------------------------------------------------- additive_attention

def _aa_case(prop, gen, *, B, n_q, n_k, d_q, d_k, d_v, h, valid_lens=None, dtype=torch.float32,
             queries=None, keys=None, values=None):
    queries = _randn(gen, B, n_q, d_q, dtype=dtype) if queries is None else queries
    keys = _randn(gen, B, n_k, d_k, dtype=dtype) if keys is None else keys
    if values is None:
        values = _randn(gen, B, n_k, d_v, dtype=dtype)
    if valid_lens is not None and prop != "the book's example":
        # values past the shortest length of each row are large: a leaking mask shows at once
        shortest = valid_lens if valid_lens.dim() == 1 else valid_lens.min(dim=1).values
        masked = torch.arange(n_k)[None, :] >= shortest[:, None]
        values = torch.where(masked[..., None], values * 4 + 8, values).to(dtype)
    W_q = _randn(gen, h, d_q, dtype=dtype)
    W_k = _randn(gen, h, d_k, dtype=dtype)
    w_v = _randn(gen, h, dtype=dtype, scale=1.5)
    lens = "None" if valid_lens is None else f"torch.tensor({valid_lens.tolist()})"
    return Case(property=prop, function="additive_attention",
                args=(queries, keys, values, valid_lens, W_q, W_k, w_v), names=AA_NAMES,
                label=f"additive_attention(queries, keys, values, valid_lens={lens}, W_q, W_k, w_v)",
                grad=((0,), (1,), (2,), (4,), (5,), (6,)),
                grad_outputs=_grad_outputs(gen, (B, n_q, d_v), dtype), hint=HINTS[prop])


def _aa_cases(gen):
    cases = [_aa_case("additive attention values", gen, B=1, n_q=2, n_k=3, d_q=4, d_k=5, d_v=2, h=3),
             _aa_case("additive attention values", gen, B=2, n_q=3, n_k=3, d_q=3, d_k=3, d_v=3, h=3),
             _aa_case("additive attention values", gen, B=2, n_q=4, n_k=6, d_q=5, d_k=3, d_v=4, h=8)]
    cases.append(_aa_case("additive attention masks", gen, B=2, n_q=2, n_k=5, d_q=3, d_k=4, d_v=2, h=4,
                          valid_lens=torch.tensor([2, 4])))
    cases.append(_aa_case("additive attention masks", gen, B=3, n_q=3, n_k=6, d_q=4, d_k=2, d_v=3, h=5,
                          valid_lens=_lens_batch(gen, 3, 6)))
    cases.append(_aa_case("additive attention masks", gen, B=2, n_q=3, n_k=5, d_q=2, d_k=3, d_v=4, h=4,
                          valid_lens=_lens_query(gen, 2, 3, 5)))
    # D2L 11.3's example: identical keys, values 0..39, lengths [2, 6].
    values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
    cases.append(_aa_case("the book's example", gen, B=2, n_q=1, n_k=10, d_q=20, d_k=2, d_v=4, h=8,
                          valid_lens=torch.tensor([2, 6]), queries=_randn(gen, 2, 1, 20), keys=torch.ones(2, 10, 2),
                          values=values))
    cases.append(_aa_case("float64", gen, B=2, n_q=3, n_k=4, d_q=3, d_k=5, d_v=2, h=6, dtype=torch.float64,
                          valid_lens=_lens_query(gen, 2, 3, 4)))
    return cases


def make_cases(gen: torch.Generator) -> list[Case]:
    return _nw_cases(gen) + _ms_cases(gen) + _aa_cases(gen)
