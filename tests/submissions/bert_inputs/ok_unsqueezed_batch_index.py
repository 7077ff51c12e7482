"""OK: X[torch.arange(batch_size).unsqueeze(1), pred_positions]: the batch index broadcast down the rows, so
no flattening and no reshape.

expect: pass
"""
import torch
from torch import nn


def get_tokens_and_segments(tokens_a, tokens_b=None):
    tokens = ['<cls>'] + tokens_a + ['<sep>']
    segments = [0] * (len(tokens_a) + 2)
    if tokens_b is not None:
        tokens = tokens + tokens_b + ['<sep>']
        segments = segments + [1] * (len(tokens_b) + 1)
    return tokens, segments


class MaskLM(nn.Module):
    def __init__(self, vocab_size, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.mlp = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens),
                                 nn.LazyLinear(vocab_size))

    def forward(self, X, pred_positions):
        batch_idx = torch.arange(X.shape[0], device=X.device).unsqueeze(1)
        return self.mlp(X[batch_idx, pred_positions])
