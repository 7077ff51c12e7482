"""OK: segments built token by token in a loop, and the gather done with torch.gather over an expanded index
(no batch index at all); the MLP's layers appended one by one to an nn.Sequential.

expect: pass
"""
import torch
from torch import nn


def get_tokens_and_segments(tokens_a, tokens_b=None):
    parts = [tokens_a] if tokens_b is None else [tokens_a, tokens_b]
    tokens, segments = ['<cls>'], [0]
    for segment_id, part in enumerate(parts):
        for token in part + ['<sep>']:
            tokens.append(token)
            segments.append(segment_id)
    return (tokens, segments)


class MaskLM(nn.Module):
    def __init__(self, vocab_size, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.mlp = nn.Sequential()
        self.mlp.append(nn.LazyLinear(num_hiddens))
        self.mlp.append(nn.ReLU())
        self.mlp.append(nn.LayerNorm(num_hiddens))
        self.mlp.append(nn.LazyLinear(vocab_size))

    def forward(self, X, pred_positions):
        index = pred_positions.unsqueeze(-1).expand(-1, -1, X.shape[-1])
        return self.mlp(torch.gather(X, 1, index))
