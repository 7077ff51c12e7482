"""OK: one sequence at a time, X[i][pred_positions[i]] stacked; the pair's lists returned in one expression.

expect: pass
"""
import torch
from torch import nn


def get_tokens_and_segments(tokens_a, tokens_b=None):
    tokens = ['<cls>'] + list(tokens_a) + ['<sep>']
    segments = [0] * len(tokens)
    if tokens_b is None:
        return tokens, segments
    return tokens + list(tokens_b) + ['<sep>'], segments + [1] * (len(tokens_b) + 1)


class MaskLM(nn.Module):
    def __init__(self, vocab_size, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.mlp = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens),
                                 nn.LazyLinear(vocab_size))

    def forward(self, X, pred_positions):
        rows = [X[i][pred_positions[i]] for i in range(X.shape[0])]
        masked_X = torch.stack(rows)
        return self.mlp(masked_X)
