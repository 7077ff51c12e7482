"""BUG: splits the heads with reshape(B, n, d, num_heads): head i gets the interleaved columns
i, i + num_heads, i + 2*num_heads, ... instead of the contiguous block i*d to (i+1)*d.

expect: fail head column split
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads

    def split(T):
        # (B, n, h) -> (B, n, d, heads) -> (B, heads, n, d)
        return T.reshape(T.shape[0], T.shape[1], d, num_heads).permute(0, 3, 1, 2)

    Q, K, V = split(queries @ W_q), split(keys @ W_k), split(values @ W_v)
    scores = Q @ K.transpose(-1, -2) / math.sqrt(d)
    if valid_lens is not None:
        if valid_lens.dim() == 1:
            valid_lens = valid_lens[:, None].expand(-1, Q.shape[2])
        keep = torch.arange(K.shape[2], device=scores.device) < valid_lens[..., None]
        scores = scores.masked_fill(~keep[:, None], -1e6)
    out = torch.softmax(scores, dim=-1) @ V          # (B, heads, n_q, d)
    # put the columns back where the split took them from
    return out.permute(0, 2, 3, 1).reshape(out.shape[0], out.shape[2], h) @ W_o
