"""BUG: a hand-written masked softmax whose max and sum over the keys forget keepdim=True: the
(B, heads, n_q) statistics do not broadcast against the (B, heads, n_q, n_k) scores, so the call
raises a shape RuntimeError (the keepdim hint must say why).

expect: fail values
"""
import math

import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    B, n_q, h = queries.shape[0], queries.shape[1], W_q.shape[1]
    n_k = keys.shape[1]
    d = h // num_heads

    def split(X):
        return X.reshape(X.shape[0], X.shape[1], num_heads, d).permute(0, 2, 1, 3)

    Q, K, V = split(queries @ W_q), split(keys @ W_k), split(values @ W_v)
    scores = Q @ K.transpose(-1, -2) / math.sqrt(d)
    if valid_lens is not None:
        lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
        mask = torch.arange(n_k, device=scores.device)[None, None, :] < lens[..., None]
        scores = scores.masked_fill(~mask[:, None], -1e6)
    exp = torch.exp(scores - scores.amax(dim=-1))
    weights = exp / exp.sum(dim=-1)
    out = (weights @ V).permute(0, 2, 1, 3).reshape(B, n_q, h)
    return out @ W_o
