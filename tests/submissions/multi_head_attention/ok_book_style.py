"""OK: the book's own code path: transpose_qkv to a (B * num_heads, n, d) batch, valid_lens
copied with repeat_interleave, and D2L 11.3's masked_softmax with sequence_mask writing -1e6
into a flattened copy of the scores.

expect: pass
"""
import math

import torch


def sequence_mask(X, valid_len, value=0.0):
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return torch.nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return torch.nn.functional.softmax(X.reshape(shape), dim=-1)


def transpose_qkv(X, num_heads):
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    X = X.permute(0, 2, 1, 3)
    return X.reshape(-1, X.shape[2], X.shape[3])


def transpose_output(X, num_heads):
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
    X = X.permute(0, 2, 1, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)


def multi_head_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    queries = transpose_qkv(queries @ W_q, num_heads)
    keys = transpose_qkv(keys @ W_k, num_heads)
    values = transpose_qkv(values @ W_v, num_heads)
    if valid_lens is not None:
        valid_lens = torch.repeat_interleave(valid_lens, repeats=num_heads, dim=0)
    d = queries.shape[-1]
    scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
    attention_weights = masked_softmax(scores, valid_lens)
    output = torch.bmm(attention_weights, values)
    return transpose_output(output, num_heads) @ W_o
