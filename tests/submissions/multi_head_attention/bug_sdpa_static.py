"""BUG (cheating): calls F.scaled_dot_product_attention by name.

expect: fail forbidden routine
"""
import torch
import torch.nn.functional as F


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads

    def split(T):
        return T.reshape(T.shape[0], T.shape[1], num_heads, d).transpose(1, 2)

    Q, K, V = split(queries @ W_q), split(keys @ W_k), split(values @ W_v)
    out = F.scaled_dot_product_attention(Q, K, V)
    return out.transpose(1, 2).reshape(out.shape[0], out.shape[2], h) @ W_o
