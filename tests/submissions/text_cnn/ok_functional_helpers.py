"""OK: functional style: the freeze with requires_grad_(False) on the module, transpose(1, 2), mean over the last
axis and clamp for the ReLU, F.dropout with training=self.training, convolutions built in a private helper.

expect: pass
"""
import torch
from torch import nn
from torch.nn import functional as F


def _make_convs(in_channels, kernel_sizes, num_channels):
    return nn.ModuleList([nn.Conv1d(in_channels, c, k) for c, k in zip(num_channels, kernel_sizes)])


class TextCNN(nn.Module):
    def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels, **kwargs):
        super().__init__(**kwargs)
        self.convs = _make_convs(2 * embed_size, kernel_sizes, num_channels)
        self.decoder = nn.Linear(sum(num_channels), 2)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.constant_embedding = nn.Embedding(vocab_size, embed_size).requires_grad_(False)
        self._p = 0.5

    def forward(self, inputs):
        x = torch.cat([self.embedding(inputs), self.constant_embedding(inputs)], dim=-1).transpose(1, 2)
        pooled = [conv(x).mean(dim=-1).clamp(min=0) for conv in self.convs]
        encoding = torch.cat(pooled, dim=-1)
        return self.decoder(F.dropout(encoding, self._p, training=self.training))
