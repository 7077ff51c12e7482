"""Exercise attention_scoring (D2L 11.2, 11.3): attention pooling, the masked softmax and additive attention."""

import torch


def nadaraya_watson(x_train: torch.Tensor, y_train: torch.Tensor, x_query: torch.Tensor) -> torch.Tensor:
    """Return the Nadaraya-Watson estimate at every query: a weighted average of y_train.

    D2L 11.2, attention pooling by similarity (Nadaraya-Watson kernel regression):
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/attention-pooling.html
    (this exercise's page, 11.3, continues with the masked softmax:
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/attention-scoring-functions.html)

    What to implement
        weight[j, i] = softmax over i of -(x_query[j] - x_train[i]) ** 2 / 2   (the Gaussian kernel)
        result[j]    = sum_i weight[j, i] * y_train[i]

    Shapes
        x_train (n,), y_train (n,), x_query (m,); the result is (m,), with the inputs' dtype and device.

    Conventions
        - Use a softmax (torch.softmax is allowed): a query 40 or more away from every training
          point must still give finite values. The English 1.0 edition normalises
          exp(-d ** 2 / 2) by its sum (k / k.sum(0)), which is 0 / 0 there; it also casts to
          float32 and returns the weights too. This course follows the Chinese second edition:
          the softmax, the inputs' dtype, and only the estimates.
        - Gradients must reach x_train, y_train and x_query; do not modify the inputs.

    Forbidden
        F.scaled_dot_product_attention, nn.MultiheadAttention, torch._masked_softmax and every
        attention kernel. torch.softmax is allowed.
    """
    raise NotImplementedError("nadaraya_watson: fill in this function")


def masked_softmax(X: torch.Tensor, valid_lens: torch.Tensor | None) -> torch.Tensor:
    """Return the softmax of X over its last axis, with positions past each valid length masked.

    D2L 11.3, attention scoring functions (masked softmax operation):
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/attention-scoring-functions.html

    What to implement
        X is (B, n_q, n_k). valid_lens is None (plain softmax over the last axis), a (B,) tensor
        (row b keeps the first valid_lens[b] positions of the last axis, for every query) or a
        (B, n_q) tensor (one length per query). Masked positions get the score -1e6, then
        softmax over the last axis. The result has X's shape, dtype and device.

    Conventions
        - Use exactly -1e6 as the book does (not -inf, not 0): a length of 0 masks a whole row,
          which then gets equal weights 1 / n_k.
        - The book's sequence_mask writes -1e6 into X in place (X[~mask] = value on a view of X):
          here X must not change. Build a new tensor (torch.where, masked_fill).
        - Create the positions on X's device: torch.arange(n_k, device=X.device).
        - Gradients must reach X.

    Forbidden
        torch._masked_softmax, F.scaled_dot_product_attention and every attention kernel.
        torch.softmax is allowed.
    """
    raise NotImplementedError("masked_softmax: fill in this function")


def additive_attention(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                       valid_lens: torch.Tensor | None, W_q: torch.Tensor, W_k: torch.Tensor,
                       w_v: torch.Tensor) -> torch.Tensor:
    """Return additive attention pooling of `values` (the book's AdditiveAttention, evaluation mode).

    D2L 11.3, attention scoring functions (additive attention):
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/attention-scoring-functions.html

    What to implement
        score(q_i, k_j) = w_v . tanh(W_q q_i + W_k k_j) for every query i and key j,
        weights = masked_softmax(scores, valid_lens) over the keys, result = weights @ values.

    Shapes
        queries (B, n_q, d_q), keys (B, n_k, d_k), values (B, n_k, d_v), valid_lens None, (B,)
        or (B, n_q). W_q (h, d_q), W_k (h, d_k) and w_v (h,) are the weights of the book's
        nn.Linear(..., bias=False) layers, so W_q q is queries @ W_q.T. The scores are
        (B, n_q, n_k); the result is (B, n_q, d_v).

    Conventions
        - Broadcast as the book does: queries (B, n_q, 1, h) plus keys (B, 1, n_k, h).
        - No dropout. You may call your own masked_softmax, and torch.softmax.
        - Gradients must reach queries, keys, values, W_q, W_k and w_v.

    Forbidden
        F.scaled_dot_product_attention, nn.MultiheadAttention, torch._masked_softmax and every
        attention kernel. torch.softmax is allowed.
    """
    raise NotImplementedError("additive_attention: fill in this function")
