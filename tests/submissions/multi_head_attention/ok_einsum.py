"""OK: einsum for every product, the head split as a view, and a manual stable softmax.

expect: pass
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads
    Wq = W_q.reshape(W_q.shape[0], num_heads, d)
    Wk = W_k.reshape(W_k.shape[0], num_heads, d)
    Wv = W_v.reshape(W_v.shape[0], num_heads, d)
    Q = torch.einsum("bqi,ihd->bhqd", queries, Wq)
    K = torch.einsum("bki,ihd->bhkd", keys, Wk)
    V = torch.einsum("bki,ihd->bhkd", values, Wv)
    scores = torch.einsum("bhqd,bhkd->bhqk", Q, K) * (1.0 / math.sqrt(d))
    if valid_lens is not None:
        lens = valid_lens.reshape(valid_lens.shape[0], 1, -1, 1)   # (B, 1, 1 or n_q, 1)
        pos = torch.arange(scores.shape[-1], device=scores.device)
        scores = scores.masked_fill(pos >= lens, -1e6)
    e = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    weights = e / e.sum(dim=-1, keepdim=True)
    heads = torch.einsum("bhqk,bhkd->bqhd", weights, V)
    return torch.einsum("bqhd,hdo->bqo", heads, W_o.reshape(num_heads, d, W_o.shape[1]))
