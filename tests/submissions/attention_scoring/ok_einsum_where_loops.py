"""OK: Nadaraya-Watson through logsumexp, the mask built with torch.where and a -1e6 tensor, and
additive attention scored one key at a time with einsum.

expect: pass
"""
import torch


def nadaraya_watson(x_train, y_train, x_query):
    logits = -0.5 * (x_query.unsqueeze(-1) - x_train) ** 2
    weights = torch.exp(logits - torch.logsumexp(logits, dim=-1, keepdim=True))
    return (weights * y_train).sum(-1)


def masked_softmax(X, valid_lens):
    if valid_lens is not None:
        lens = valid_lens.reshape(X.shape[0], -1, 1)                  # (B, 1 or n_q, 1)
        positions = torch.arange(X.shape[-1], device=X.device).reshape(1, 1, -1)
        X = torch.where(positions < lens, X, torch.full_like(X, -1e6))
    shifted = X - X.amax(dim=-1, keepdim=True)
    return shifted.exp() / shifted.exp().sum(dim=-1, keepdim=True)


def additive_attention(queries, keys, values, valid_lens, W_q, W_k, w_v):
    q = torch.einsum("bqd,hd->bqh", queries, W_q)
    k = torch.einsum("bkd,hd->bkh", keys, W_k)
    columns = [torch.einsum("bqh,h->bq", torch.tanh(q + k[:, j:j + 1, :]), w_v) for j in range(keys.shape[1])]
    scores = torch.stack(columns, dim=-1)
    return torch.einsum("bqk,bkv->bqv", masked_softmax(scores, valid_lens), values)
