"""OK: the mask applied with torch.where against a -1e6 tensor of the scores' dtype and device,
and the heads folded into the batch with unflatten/flatten.

expect: pass
"""
import torch


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    def heads(T):
        return T.unflatten(-1, (num_heads, -1)).transpose(1, 2)    # (B, heads, n, d)

    Q, K, V = heads(queries @ W_q), heads(keys @ W_k), heads(values @ W_v)
    d = Q.shape[-1]
    scores = torch.matmul(Q, K.transpose(-2, -1)) / torch.tensor(float(d), dtype=Q.dtype, device=Q.device).sqrt()
    if valid_lens is not None:
        if valid_lens.ndim == 1:
            valid_lens = valid_lens.unsqueeze(1)                    # broadcast over queries
        valid = torch.arange(scores.shape[-1], device=valid_lens.device) < valid_lens.unsqueeze(-1)
        scores = torch.where(valid.unsqueeze(1), scores, torch.tensor(-1e6, dtype=scores.dtype, device=scores.device))
    out = torch.softmax(scores, dim=-1) @ V
    return out.transpose(1, 2).flatten(2) @ W_o
