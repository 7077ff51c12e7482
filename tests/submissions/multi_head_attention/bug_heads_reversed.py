"""BUG: concatenates the heads last to first (torch.cat of the heads in reverse order).

expect: fail heads concatenated in order
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads
    Q, K, V = queries @ W_q, keys @ W_k, values @ W_v
    mask = None
    if valid_lens is not None:
        if valid_lens.dim() == 1:
            valid_lens = valid_lens[:, None].expand(-1, Q.shape[1])
        mask = torch.arange(K.shape[1], device=Q.device) >= valid_lens[..., None]
    heads = []
    for i in range(num_heads):
        cols = slice(i * d, (i + 1) * d)
        scores = Q[..., cols] @ K[..., cols].transpose(1, 2) / math.sqrt(d)
        if mask is not None:
            scores = scores.masked_fill(mask, -1e6)
        heads.append(torch.softmax(scores, dim=-1) @ V[..., cols])
    return torch.cat(heads[::-1], dim=-1) @ W_o
