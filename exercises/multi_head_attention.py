"""Exercise multi_head_attention (D2L 11.3, 11.5): write multi-head scaled dot-product attention with the book's masked softmax."""

import torch


def multi_head_attention(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                         W_q: torch.Tensor, W_k: torch.Tensor, W_v: torch.Tensor,
                         W_o: torch.Tensor, num_heads: int,
                         valid_lens: torch.Tensor | None = None) -> torch.Tensor:
    """Return the output of multi-head attention, (B, n_q, d_out).

    D2L 11.3 (attention scoring functions, masked softmax) and 11.5 (multi-head attention):
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/multihead-attention.html

    What to implement
        1. Project: Q = queries @ W_q, K = keys @ W_k, V = values @ W_v, each (B, n, h).
        2. Split into heads: head i uses columns i*h/num_heads to (i+1)*h/num_heads of each
           of Q, K and V (d = h / num_heads columns per head).
        3. Scores per head: Q_i @ K_i^T / sqrt(d) - scale by the size of one head,
           sqrt(h / num_heads), not sqrt(h).
        4. Mask as the book's masked_softmax does: keys at positions >= the valid length get
           the score -1e6, then softmax over the keys (the last dimension).
        5. Output of head i: weights_i @ V_i. Concatenate the heads in head order to
           (B, n_q, h), then multiply by W_o.

    Shapes
        queries (B, n_q, d_q), keys (B, n_k, d_k), values (B, n_k, d_v);
        W_q (d_q, h), W_k (d_k, h), W_v (d_v, h), W_o (h, d_out); h is divisible by
        num_heads. valid_lens is
            None      - no mask;
            (B,)      - for batch row b, keys at positions >= valid_lens[b] are masked for
                        every query;
            (B, n_q)  - one length per query.
        Valid lengths are at least 1. The result keeps the inputs' dtype and device.

    Conventions
        - There is no dropout here, and no biases in the projections.
        - Gradients must flow to queries, keys, values and the four weight matrices; modify
          nothing in place; create no tensor on a hard-coded device (e.g. pass
          device=scores.device to torch.arange).

    Forbidden
        F.scaled_dot_product_attention, nn.MultiheadAttention,
        F.multi_head_attention_forward. Allowed: torch.softmax.
    """
    raise NotImplementedError("multi_head_attention: fill in this function")
