"""Exercise bert_inputs (D2L 15.8): the BERT input sequence with its segment IDs, and the masked language model's head."""

import torch
from torch import nn


def get_tokens_and_segments(tokens_a, tokens_b=None):
    """The tokens of the BERT input sequence and their segment IDs.

    D2L 15.8, Bidirectional Encoder Representations from Transformers (BERT), Input Representation:
    https://d2l.ai/chapter_natural-language-processing-pretraining/bert.html

    What to implement
        One text:  tokens   = ['<cls>'] + tokens_a + ['<sep>']
                   segments = 0 for each of them
        Two texts: tokens   = ['<cls>'] + tokens_a + ['<sep>'] + tokens_b + ['<sep>']
                   segments = 0 for '<cls>', tokens_a and the first '<sep>';
                              1 for tokens_b and the last '<sep>'
        Return the tuple (tokens, segments): two new lists of the same length.

    Conventions
        - tokens_a and tokens_b are lists of strings; tokens_b=None (or left out) means one text. An
          empty list is still a text: tokens_b=[] is a pair whose second text is empty.
        - The special tokens are the book's strings '<cls>' and '<sep>'.
        - Do not change the caller's lists (no insert, append or += on tokens_a or tokens_b).

    Forbidden: nothing; this is plain Python over lists.
    """
    raise NotImplementedError("get_tokens_and_segments: fill in this function")


class MaskLM(nn.Module):
    """The masked language model task of BERT: predict the tokens at the masked positions.

    D2L 15.8, Masked Language Modeling:
    https://d2l.ai/chapter_natural-language-processing-pretraining/bert.html

    What to implement
        __init__(vocab_size, num_hiddens, **kwargs): call super().__init__(**kwargs), then
            self.mlp = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(),
                                     nn.LayerNorm(num_hiddens), nn.LazyLinear(vocab_size))
        forward(X, pred_positions) -> mlm_Y_hat
            X: the encoder's output, (batch_size, seq_len, d); pred_positions: int64,
            (batch_size, num_pred_positions), row i holding positions of sequence i.
            masked_X[i, j] = X[i, pred_positions[i, j]], shape (batch_size, num_pred_positions, d);
            return self.mlp(masked_X), shape (batch_size, num_pred_positions, vocab_size).

    Conventions
        - The grader builds MaskLM(vocab_size, num_hiddens) and loads the reference's weights with
          load_state_dict by these names: mlp.0.weight, mlp.0.bias, mlp.2.weight, mlp.2.bias (the
          LayerNorm), mlp.3.weight, mlp.3.bias. Loading gives the lazy layers their shapes.
        - X's width d need not be num_hiddens: the first layer takes it from X (nn.LazyLinear).
        - A position may be predicted twice; gradients must reach X and every parameter.
        - Editions: the course follows the English edition. The Chinese edition's
          MaskLM(vocab_size, num_hiddens, num_inputs=768) builds nn.Linear(num_inputs, num_hiddens),
          fixed at 768 inputs, and fails here on X of another width.

    Forbidden: nothing; indexing, torch.gather and the layers above are all allowed.
    """

    def __init__(self, vocab_size, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError("MaskLM: fill in this function (__init__ and forward)")

    def forward(self, X: torch.Tensor, pred_positions: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("MaskLM.forward: fill in this function")
