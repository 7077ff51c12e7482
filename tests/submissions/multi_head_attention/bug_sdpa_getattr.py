"""BUG (cheating): reaches F.scaled_dot_product_attention through getattr with a built-up name.

The name check cannot see the name; the code policy refuses getattr itself.
expect: fail code rules
"""
import torch
import torch.nn.functional as F

_sdpa = getattr(F, "scaled_dot_" + "product_attention")


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    h = W_q.shape[1]
    d = h // num_heads

    def split(T):
        return T.reshape(T.shape[0], T.shape[1], num_heads, d).transpose(1, 2)

    Q, K, V = split(queries @ W_q), split(keys @ W_k), split(values @ W_v)
    mask = None
    if valid_lens is not None:
        if valid_lens.dim() == 1:
            valid_lens = valid_lens[:, None].expand(-1, Q.shape[2])
        keep = torch.arange(K.shape[2], device=Q.device) < valid_lens[..., None]
        mask = torch.zeros(keep.shape, dtype=Q.dtype, device=Q.device).masked_fill(~keep, -1e6)[:, None]
    out = _sdpa(Q, K, V, attn_mask=mask)
    return out.transpose(1, 2).reshape(out.shape[0], out.shape[2], h) @ W_o
