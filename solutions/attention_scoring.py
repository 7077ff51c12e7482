"""Reference solution for the attention_scoring exercise (D2L 11.2, 11.3): Nadaraya-Watson pooling, masked softmax, additive attention."""

import torch


def nadaraya_watson(x_train: torch.Tensor, y_train: torch.Tensor, x_query: torch.Tensor) -> torch.Tensor:
    """Return the (m,) Nadaraya-Watson estimates at x_query with the Gaussian kernel.

    Weight of training point i for query j: softmax over i of -(x_query[j] - x_train[i]) ** 2 / 2.
    """
    distances = x_query[:, None] - x_train[None, :]                     # (m, n)
    attention_weights = torch.softmax(-distances ** 2 / 2, dim=1)
    return attention_weights @ y_train


def masked_softmax(X: torch.Tensor, valid_lens: torch.Tensor | None) -> torch.Tensor:
    """Softmax over the last axis of the (B, n_q, n_k) X, positions >= the valid length set to -1e6."""
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    if valid_lens.dim() == 1:                                           # (B,): the same for every query
        valid_lens = valid_lens[:, None]
    positions = torch.arange(X.shape[-1], device=X.device)
    keep = positions < valid_lens[..., None]                            # (B, n_q or 1, n_k)
    return torch.softmax(X.masked_fill(~keep, -1e6), dim=-1)


def additive_attention(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                       valid_lens: torch.Tensor | None, W_q: torch.Tensor, W_k: torch.Tensor,
                       w_v: torch.Tensor) -> torch.Tensor:
    """Return the (B, n_q, d_v) additive attention: scores w_v . tanh(W_q q + W_k k), masked softmax, @ values."""
    features = (queries @ W_q.T)[:, :, None, :] + (keys @ W_k.T)[:, None, :, :]   # (B, n_q, n_k, h)
    scores = torch.tanh(features) @ w_v                                            # (B, n_q, n_k)
    return masked_softmax(scores, valid_lens) @ values
