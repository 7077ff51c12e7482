"""OK: the book's own code paths: the Chinese edition's repeat_interleave for Nadaraya-Watson,
sequence_mask writing -1e6 into a flattened copy of the scores (a clone, so X is untouched),
and AdditiveAttention's unsqueeze broadcasting with torch.bmm.

expect: pass
"""
import torch
from torch import nn


def nadaraya_watson(x_train, y_train, x_query):
    n_train = x_train.shape[0]
    X_repeat = x_query.repeat_interleave(n_train).reshape((-1, n_train))
    attention_weights = nn.functional.softmax(-(X_repeat - x_train) ** 2 / 2, dim=1)
    return torch.matmul(attention_weights, y_train)


def sequence_mask(X, valid_len, value=0.0):
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    X = sequence_mask(X.clone().reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return nn.functional.softmax(X.reshape(shape), dim=-1)


def additive_attention(queries, keys, values, valid_lens, W_q, W_k, w_v):
    queries, keys = torch.matmul(queries, W_q.t()), torch.matmul(keys, W_k.t())
    features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))
    scores = torch.matmul(features, w_v.reshape(-1, 1)).squeeze(-1)
    attention_weights = masked_softmax(scores, valid_lens)
    return torch.bmm(attention_weights, values)
