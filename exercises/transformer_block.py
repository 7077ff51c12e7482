"""Exercise transformer_block (D2L 11.7): build the Transformer encoder block from the book's PositionWiseFFN and AddNorm."""

import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """Given, ready to use (D2L 11.5): the book's multi-head attention, projections W_q, W_k, W_v, W_o
    and the masked softmax (masked scores -1e6), with dropout on the attention weights. Do not change it."""

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float, bias: bool):
        super().__init__()
        self.num_heads = num_heads
        self.dropout = nn.Dropout(dropout)
        self.W_q = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_k = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_v = nn.Linear(num_hiddens, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def split_heads(self, X: torch.Tensor) -> torch.Tensor:
        # (B, n, h) -> (B, num_heads, n, h / num_heads)
        return X.reshape(X.shape[0], X.shape[1], self.num_heads, -1).transpose(1, 2)

    def forward(self, queries, keys, values, valid_lens):
        Q, K, V = self.split_heads(self.W_q(queries)), self.split_heads(self.W_k(keys)), self.split_heads(self.W_v(values))
        scores = Q @ K.transpose(2, 3) / math.sqrt(Q.shape[-1])
        if valid_lens is not None:
            lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
            keep = torch.arange(scores.shape[-1], device=scores.device) < lens[..., None]
            scores = scores.masked_fill(~keep[:, None], -1e6)
        heads = self.dropout(torch.softmax(scores, dim=-1)) @ V
        return self.W_o(heads.transpose(1, 2).reshape(queries.shape[0], queries.shape[1], -1))


class PositionWiseFFN(nn.Module):
    """The position-wise feed-forward network.

    D2L 11.7, the Transformer architecture:
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/transformer.html

    What to implement
        __init__(ffn_num_input, ffn_num_hiddens, ffn_num_outputs): call super().__init__(), then
          self.dense1  nn.Linear(ffn_num_input, ffn_num_hiddens)
          self.relu    nn.ReLU()
          self.dense2  nn.Linear(ffn_num_hiddens, ffn_num_outputs)
        forward(X): dense2(relu(dense1(X))). X may have any number of leading dimensions
        ((batch, steps, ffn_num_input) in the block): the same MLP at every position.

    Forbidden
        nothing in torch is this network; nn.Linear and nn.ReLU are allowed (see the block below).
    """

    def __init__(self, ffn_num_input: int, ffn_num_hiddens: int, ffn_num_outputs: int):
        super().__init__()
        raise NotImplementedError("PositionWiseFFN: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("PositionWiseFFN.forward: fill in this function")


class AddNorm(nn.Module):
    """The residual connection followed by layer normalization.

    D2L 11.7, the Transformer architecture:
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/transformer.html

    What to implement
        __init__(normalized_shape, dropout): call super().__init__(), then
          self.dropout  nn.Dropout(dropout)
          self.ln       nn.LayerNorm(normalized_shape)   (an int or a list, as nn.LayerNorm takes it)
        forward(X, Y): ln(dropout(Y) + X).

    Conventions
        - Post-norm, as the book (and the original Transformer): the norm comes after the
          addition; dropout is on Y, the sublayer's output, never on X.
        - Layer norm normalises over the last dimension, per position (not over the batch).
        - Graded with the reference's ln weights, after .eval() and in training mode with dropout 0,
          and in training mode with dropout 1 (nn.Dropout(1.0) zeroes Y, so the result is ln(X)).

    Forbidden
        nothing more than the block's list below; nn.LayerNorm and nn.Dropout are allowed.
    """

    def __init__(self, normalized_shape, dropout: float):
        super().__init__()
        raise NotImplementedError("AddNorm: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("AddNorm.forward: fill in this function")


class TransformerEncoderBlock(nn.Module):
    """The Transformer encoder block.

    D2L 11.7, the Transformer architecture:
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/transformer.html

    What to implement
        __init__(num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias=False):
        call super().__init__(), then
          self.attention  MultiHeadAttention(num_hiddens, num_heads, dropout, use_bias) (given above)
          self.addnorm1   AddNorm(num_hiddens, dropout)
          self.ffn        PositionWiseFFN(num_hiddens, ffn_num_hiddens, num_hiddens)
          self.addnorm2   AddNorm(num_hiddens, dropout)
        forward(X, valid_lens=None): Y = addnorm1(X, attention(X, X, X, valid_lens)), then
        return addnorm2(Y, ffn(Y)).

    Shapes
        X (batch, steps, num_hiddens); valid_lens None or (batch,) (keys at positions >= the
        length are masked for every query). The result has X's shape, dtype and device.

    Conventions
        - Self-attention: queries, keys and values are all X. The second residual connection
          starts from Y, the first sublayer's output, not from X.
        - The grader loads the reference's weights by these attribute names (attention.W_q.weight,
          addnorm1.ln.weight, ffn.dense1.weight, ...), then checks the block after .eval() and in
          training mode with dropout 0 and 1. Gradients must reach every parameter and X.
        - Editions: the Chinese second edition and the classic English edition call the block
          EncoderBlock(key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
          ffn_num_hiddens, num_heads, dropout, use_bias=False), where the first three sizes,
          norm_shape and ffn_num_input all equal num_hiddens in the book's use; the newer English
          edition calls it TransformerEncoderBlock with the signature used here, and builds its
          layers with nn.LazyLinear. This course takes the newer name and signature with the
          classic edition's explicit sizes (PositionWiseFFN(ffn_num_input, ...), nn.Linear).

    Forbidden
        nn.TransformerEncoderLayer, nn.TransformerEncoder, nn.Transformer, nn.MultiheadAttention,
        F.scaled_dot_product_attention. Allowed: nn.Linear, nn.LayerNorm, nn.Dropout, nn.ReLU,
        torch.softmax, and the MultiHeadAttention above.
    """

    def __init__(self, num_hiddens: int, ffn_num_hiddens: int, num_heads: int, dropout: float,
                 use_bias: bool = False):
        super().__init__()
        raise NotImplementedError("TransformerEncoderBlock: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor, valid_lens: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError("TransformerEncoderBlock.forward: fill in this function")
