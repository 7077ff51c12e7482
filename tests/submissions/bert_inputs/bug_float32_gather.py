"""BUG: the gathered encodings cast with .float(): right in float32, but after .to(torch.float64) the MLP's
float64 weights meet a float32 input.

expect: fail float64
"""
import torch
from torch import nn


def get_tokens_and_segments(tokens_a, tokens_b=None):
    tokens = ['<cls>'] + tokens_a + ['<sep>']
    segments = [0] * (len(tokens_a) + 2)
    if tokens_b is not None:
        tokens += tokens_b + ['<sep>']
        segments += [1] * (len(tokens_b) + 1)
    return tokens, segments


class MaskLM(nn.Module):
    def __init__(self, vocab_size, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.mlp = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens),
                                 nn.LazyLinear(vocab_size))

    def forward(self, X, pred_positions):
        batch_size, num_pred_positions = pred_positions.shape
        batch_idx = torch.arange(batch_size, device=X.device).repeat_interleave(num_pred_positions)
        masked_X = X[batch_idx, pred_positions.reshape(-1)].float()
        return self.mlp(masked_X.reshape(batch_size, num_pred_positions, -1))
