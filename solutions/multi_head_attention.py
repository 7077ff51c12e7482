"""Reference solution for the multi_head_attention exercise (D2L 11.3, 11.5): multi-head scaled dot-product attention with the book's masked softmax."""

import math

import torch


def multi_head_attention(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                         W_q: torch.Tensor, W_k: torch.Tensor, W_v: torch.Tensor,
                         W_o: torch.Tensor, num_heads: int,
                         valid_lens: torch.Tensor | None = None) -> torch.Tensor:
    """Return the (B, n_q, d_out) output of multi-head attention.

    Q, K, V are the projections by W_q, W_k, W_v (each (B, n, h)); head i uses columns
    i*h/num_heads to (i+1)*h/num_heads. Scores are Q_i @ K_i^T / sqrt(h / num_heads); keys at
    positions >= the valid length get the score -1e6 before the softmax over the keys
    (valid_lens None, (B,) or (B, n_q)). The heads are concatenated in order and
    multiplied by W_o.
    """
    h = W_q.shape[1]
    if h % num_heads:
        raise ValueError(f"h = {h} is not divisible by num_heads = {num_heads}")
    d = h // num_heads

    def split_heads(T: torch.Tensor) -> torch.Tensor:
        # (B, n, h) -> (B, n, num_heads, d) -> (B, num_heads, n, d)
        return T.reshape(T.shape[0], T.shape[1], num_heads, d).transpose(1, 2)

    Q = split_heads(queries @ W_q)
    K = split_heads(keys @ W_k)
    V = split_heads(values @ W_v)
    scores = Q @ K.transpose(2, 3) / math.sqrt(d)              # (B, num_heads, n_q, n_k)

    if valid_lens is not None:
        n_k = scores.shape[3]
        if valid_lens.dim() == 1:                              # one length per batch row,
            valid_lens = valid_lens[:, None]                   # (B, 1): broadcast to every query
        positions = torch.arange(n_k, device=scores.device)
        keep = positions < valid_lens[..., None]               # (B, n_q, n_k)
        # the book's masked_softmax: masked scores become -1e6; the same mask for every head
        scores = scores.masked_fill(~keep[:, None], -1e6)

    attention_weights = torch.softmax(scores, dim=-1)
    heads = attention_weights @ V                              # (B, num_heads, n_q, d)
    # (B, num_heads, n_q, d) -> (B, n_q, num_heads, d) -> (B, n_q, h): heads in order
    concat = heads.transpose(1, 2).reshape(heads.shape[0], heads.shape[2], h)
    return concat @ W_o
