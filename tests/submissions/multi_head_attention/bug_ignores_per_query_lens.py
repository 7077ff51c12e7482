"""BUG: handles only a (B,) valid_lens; a (B, n_q) one is cut down to its first column, so every
query of a row uses the length of query 0.

expect: fail valid_lens per query
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads

    def split(T):
        return T.reshape(T.shape[0], T.shape[1], num_heads, d).transpose(1, 2)

    Q, K, V = split(queries @ W_q), split(keys @ W_k), split(values @ W_v)
    scores = Q @ K.transpose(-1, -2) / math.sqrt(d)
    if valid_lens is not None:
        if valid_lens.dim() == 2:
            valid_lens = valid_lens[:, 0]
        keep = torch.arange(K.shape[2], device=scores.device)[None, :] < valid_lens[:, None]   # (B, n_k)
        scores = scores.masked_fill(~keep[:, None, None, :], -1e6)
    out = torch.softmax(scores, dim=-1) @ V
    return out.transpose(1, 2).reshape(out.shape[0], out.shape[2], h) @ W_o
