"""BUG: scales the scores by sqrt(h), the full projection width, instead of sqrt(h / num_heads).

Identical with one head; with several heads every softmax is too flat.
expect: fail scaled by sqrt(h / num_heads)
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads

    def split(T):
        return T.reshape(T.shape[0], T.shape[1], num_heads, d).transpose(1, 2)

    Q, K, V = split(queries @ W_q), split(keys @ W_k), split(values @ W_v)
    scores = Q @ K.transpose(-1, -2) / math.sqrt(h)
    if valid_lens is not None:
        if valid_lens.dim() == 1:
            valid_lens = valid_lens[:, None].expand(-1, Q.shape[2])
        keep = torch.arange(K.shape[2], device=scores.device) < valid_lens[..., None]
        scores = scores.masked_fill(~keep[:, None], -1e6)
    out = torch.softmax(scores, dim=-1) @ V
    return out.transpose(1, 2).reshape(out.shape[0], out.shape[2], h) @ W_o
