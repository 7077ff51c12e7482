"""Grader for multi_head_attention (D2L 11.3, 11.5): values, per-head scaling, column split, concat
order, both valid_lens forms of the book's masked softmax, unequal sizes, float64 and gradients."""

from __future__ import annotations

import dataclasses
import math

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import missing_keepdim

NAMES = ("queries", "keys", "values", "W_q", "W_k", "W_v", "W_o", "num_heads", "valid_lens")
GRAD = tuple((i,) for i in range(7))  # queries, keys, values, W_q, W_k, W_v, W_o (never valid_lens)
# Masked positions carry large values, so any weight that leaks past the mask moves the result by a
# lot; the right answers are O(1), so these tolerances only absorb rounding.
TOL = {torch.float32: (1e-4, 5e-5), torch.float64: (1e-9, 1e-11)}

HINTS = {
    "values": "project (Q = queries @ W_q, ...), split into heads, softmax(Q_i K_i^T / sqrt(h / num_heads)) "
              "over the keys (the last dimension), weights @ V_i, concatenate the heads, then @ W_o (D2L 11.5)",
    "scaled by sqrt(h / num_heads)": "scale each head's scores by sqrt(d) with d = h / num_heads, the size of "
              "one head (the queries' width inside that head), not by sqrt(h)",
    "head column split": "head i owns the contiguous columns i*d to (i+1)*d of Q, K and V: reshape "
              "(B, n, h) -> (B, n, num_heads, d), not (B, n, d, num_heads), then move the heads axis forward",
    "heads concatenated in order": "undo the split exactly: (B, num_heads, n_q, d) -> (B, n_q, num_heads, d) "
              "-> (B, n_q, h), so head 0's columns come first, then multiply by W_o",
    "valid_lens per batch row": "the book's masked_softmax: for batch row b, keys at positions >= valid_lens[b] "
              "get the score -1e6 (not 0) before the softmax over the keys; mask keys (the last axis), not "
              "queries, and give every head the mask of its own batch row",
    "valid_lens per query": "a (B, n_q) valid_lens gives each query its own length: compare "
              "torch.arange(n_k, device=scores.device) with valid_lens[..., None] to get a (B, n_q, n_k) mask",
    "different sizes": "n_q and n_k may differ, and so may d_q, d_k, d_v, h and d_out: the result is "
              "(B, n_q, d_out)",
    "float64": "the same formula must hold in float64; if only float64 fails, look for a .float() cast or a "
               "constant created in float32",
}

#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    missing_keepdim("a max or sum over the keys without keepdim=True (in a hand-written masked softmax, say) "
                    "drops the keys' dimension, so the division cannot broadcast against the scores: keep it "
                    "with keepdim=True"),
)


def _randn(gen, *shape, dtype=torch.float32, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype)


def _lens_batch(gen, B, n_k):
    """(B,) lengths in [1, n_k], at least one < n_k and not all equal (when B > 1)."""
    while True:
        lens = torch.randint(1, n_k + 1, (B,), generator=gen)
        if bool((lens < n_k).any()) and (B == 1 or len(set(lens.tolist())) > 1):
            return lens


def _lens_query(gen, B, n_q, n_k):
    """(B, n_q) lengths in [1, n_k]: differing across queries of a row and across rows."""
    while True:
        lens = torch.randint(1, n_k + 1, (B, n_q), generator=gen)
        rows_vary = all(len(set(row)) > 1 for row in lens.tolist())
        if rows_vary and bool((lens < n_k).any()) and (B == 1 or not bool((lens == lens[:1]).all())):
            return lens


def _case(prop, gen, *, B, n_q, n_k, d_q, d_k, d_v, h, d_out, num_heads, valid_lens=None,
          dtype=torch.float32, score_scale=1.0):
    queries = _randn(gen, B, n_q, d_q, dtype=dtype)
    keys = _randn(gen, B, n_k, d_k, dtype=dtype)
    values = _randn(gen, B, n_k, d_v, dtype=dtype)
    if valid_lens is not None:
        # Keys past the shortest valid length of each row carry large values: ignoring the mask
        # (or masking with 0) lets them into the weighted sum and shows at once.
        shortest = valid_lens if valid_lens.dim() == 1 else valid_lens.min(dim=1).values
        masked = torch.arange(n_k)[None, :] >= shortest[:, None]            # (B, n_k)
        values = torch.where(masked[..., None], values * 4 + 8, values).to(dtype)
    # Each score has unit-ish size (times score_scale) after the 1/sqrt(d) scaling.
    W_q = _randn(gen, d_q, h, dtype=dtype, scale=score_scale / math.sqrt(d_q))
    W_k = _randn(gen, d_k, h, dtype=dtype, scale=score_scale / math.sqrt(d_k))
    W_v = _randn(gen, d_v, h, dtype=dtype, scale=1 / math.sqrt(d_v))
    W_o = _randn(gen, h, d_out, dtype=dtype, scale=1 / math.sqrt(h))
    args = (queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens)
    lens = "" if valid_lens is None else f", valid_lens={valid_lens.tolist()}"
    label = f"multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads={num_heads}{lens})"
    grad_outputs = [_randn(gen, B, n_q, d_out, dtype=dtype)]
    hint = HINTS[prop]
    if valid_lens is not None and not prop.startswith("valid_lens"):
        hint += ". This case is masked: " + HINTS["valid_lens per batch row" if valid_lens.dim() == 1
                                                  else "valid_lens per query"]
    return Case(property=prop, args=args, names=NAMES, label=label, grad=GRAD, grad_outputs=grad_outputs,
                tolerance=TOL, hint=hint)


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # values: one head, then several, no mask; d_out == h so a missing W_o is a value error too.
    cases.append(_case("values", gen, B=1, n_q=2, n_k=3, d_q=4, d_k=4, d_v=4, h=4, d_out=4, num_heads=1))
    cases.append(_case("values", gen, B=2, n_q=3, n_k=3, d_q=4, d_k=4, d_v=4, h=4, d_out=4, num_heads=2))
    cases.append(_case("values", gen, B=2, n_q=4, n_k=4, d_q=6, d_k=6, d_v=6, h=6, d_out=6, num_heads=3,
                       score_scale=1.5))
    # scaling: sqrt(h) and sqrt(h / num_heads) differ only with several heads; scores of size ~2.
    for heads, h in ((2, 8), (4, 8)):
        cases.append(_case("scaled by sqrt(h / num_heads)", gen, B=1, n_q=2, n_k=4, d_q=4, d_k=4, d_v=4,
                           h=h, d_out=4, num_heads=heads, score_scale=1.5))
    # the column split: head i owns columns i*d:(i+1)*d (an interleaved split gives other heads).
    for heads, h in ((2, 6), (3, 6)):
        cases.append(_case("head column split", gen, B=1, n_q=3, n_k=4, d_q=5, d_k=5, d_v=5, h=h, d_out=5,
                           num_heads=heads, score_scale=2.0))
    # the concatenation: heads back in order, then W_o (d_out != h).
    for heads, h in ((2, 4), (4, 8)):
        cases.append(_case("heads concatenated in order", gen, B=2, n_q=2, n_k=3, d_q=4, d_k=4, d_v=4, h=h,
                           d_out=3, num_heads=heads))
    # valid_lens (B,): the same mask for every query and head of a row, different across rows.
    cases.append(_case("valid_lens per batch row", gen, B=2, n_q=2, n_k=4, d_q=3, d_k=3, d_v=3, h=4, d_out=4,
                       num_heads=1, valid_lens=_lens_batch(gen, 2, 4)))
    cases.append(_case("valid_lens per batch row", gen, B=3, n_q=3, n_k=5, d_q=4, d_k=4, d_v=4, h=4, d_out=4,
                       num_heads=2, valid_lens=_lens_batch(gen, 3, 5)))
    cases.append(_case("valid_lens per batch row", gen, B=3, n_q=4, n_k=4, d_q=4, d_k=4, d_v=4, h=6, d_out=4,
                       num_heads=3, valid_lens=_lens_batch(gen, 3, 4)))
    # valid_lens (B, n_q): one length per query.
    cases.append(_case("valid_lens per query", gen, B=2, n_q=3, n_k=4, d_q=3, d_k=3, d_v=3, h=4,
                       d_out=4, num_heads=1, valid_lens=_lens_query(gen, 2, 3, 4)))
    cases.append(_case("valid_lens per query", gen, B=2, n_q=4, n_k=5, d_q=4, d_k=4, d_v=4, h=4,
                       d_out=4, num_heads=2, valid_lens=_lens_query(gen, 2, 4, 5)))
    # unequal sizes everywhere: n_q != n_k, d_q != d_k != d_v, d_out != h.
    cases.append(_case("different sizes", gen, B=2, n_q=3, n_k=5, d_q=3, d_k=5, d_v=2, h=4, d_out=6,
                       num_heads=2))
    cases.append(_case("different sizes", gen, B=2, n_q=2, n_k=6, d_q=7, d_k=3, d_v=5, h=6, d_out=2,
                       num_heads=3, valid_lens=_lens_batch(gen, 2, 6)))
    # float64, with and without a mask.
    cases.append(_case("float64", gen, B=2, n_q=3, n_k=4, d_q=4, d_k=4, d_v=4, h=4, d_out=4, num_heads=2,
                       dtype=torch.float64))
    cases.append(_case("float64", gen, B=2, n_q=3, n_k=5, d_q=4, d_k=3, d_v=2, h=6, d_out=3, num_heads=3,
                       valid_lens=_lens_query(gen, 2, 3, 5), dtype=torch.float64))
    # valid_lens left at its default, None: the call passes eight arguments
    # (drawn last, so that the cases above stay those of earlier versions for a given seed).
    unmasked = _case("values", gen, B=2, n_q=3, n_k=4, d_q=4, d_k=4, d_v=4, h=4, d_out=4, num_heads=2)
    cases.append(dataclasses.replace(unmasked, args=unmasked.args[:8]))
    return cases
