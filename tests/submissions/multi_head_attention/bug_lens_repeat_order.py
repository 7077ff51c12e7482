"""BUG: the book's (B * num_heads) layout, but valid_lens copied with .repeat(num_heads) instead
of repeat_interleave: the flattened index b * num_heads + i then gets the length of the wrong
batch row.

expect: fail valid_lens per batch row
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    B, n_q, _ = queries.shape
    n_k = keys.shape[1]
    h = W_q.shape[1]
    d = h // num_heads

    def split(T):  # (B, n, h) -> (B * heads, n, d), batch-major
        return T.reshape(T.shape[0], T.shape[1], num_heads, d).permute(0, 2, 1, 3).reshape(-1, T.shape[1], d)

    Q, K, V = split(queries @ W_q), split(keys @ W_k), split(values @ W_v)
    scores = torch.bmm(Q, K.transpose(1, 2)) / math.sqrt(d)        # (B * heads, n_q, n_k)
    if valid_lens is not None:
        if valid_lens.dim() == 1:
            valid_lens = valid_lens[:, None].expand(-1, n_q)
        valid_lens = valid_lens.repeat(num_heads, 1)               # wrong order of the copies
        keep = torch.arange(n_k, device=scores.device) < valid_lens[..., None]
        scores = torch.where(keep, scores, torch.full_like(scores, -1e6))
    out = torch.bmm(torch.softmax(scores, dim=-1), V)               # (B * heads, n_q, d)
    out = out.reshape(B, num_heads, n_q, d).permute(0, 2, 1, 3).reshape(B, n_q, h)
    return out @ W_o
