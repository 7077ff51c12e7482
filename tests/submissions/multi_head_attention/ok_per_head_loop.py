"""OK: a Python loop over the heads, slicing each head's columns, then torch.cat in head order.

expect: pass
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads
    Q, K, V = queries @ W_q, keys @ W_k, values @ W_v
    mask = None
    if valid_lens is not None:
        lens = valid_lens if valid_lens.dim() == 2 else valid_lens[:, None].expand(-1, Q.shape[1])
        mask = torch.arange(K.shape[1], device=Q.device)[None, None, :] >= lens[..., None]
    heads = []
    for i in range(num_heads):
        Qi, Ki, Vi = Q[..., i * d:(i + 1) * d], K[..., i * d:(i + 1) * d], V[..., i * d:(i + 1) * d]
        scores = torch.bmm(Qi, Ki.transpose(1, 2)) / d ** 0.5
        if mask is not None:
            scores = scores.masked_fill(mask, -1e6)
        heads.append(torch.bmm(torch.softmax(scores, dim=-1), Vi))
    return torch.cat(heads, dim=-1) @ W_o
