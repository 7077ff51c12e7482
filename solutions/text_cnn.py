"""Reference solution for text_cnn (D2L 16.3): the book's textCNN for sentiment analysis, its PyTorch code."""

import torch
from torch import nn


class TextCNN(nn.Module):
    """The book's PyTorch code, with the constant embedding frozen inside the class."""

    def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels,
                 **kwargs):
        super(TextCNN, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        # The embedding layer not to be trained (the book freezes it after loading GloVe)
        self.constant_embedding = nn.Embedding(vocab_size, embed_size)
        self.constant_embedding.weight.requires_grad = False
        self.dropout = nn.Dropout(0.5)
        self.decoder = nn.Linear(sum(num_channels), 2)
        # The book's PyTorch code pools with AdaptiveAvgPool1d (its text: max-over-time)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.relu = nn.ReLU()
        self.convs = nn.ModuleList()
        for c, k in zip(num_channels, kernel_sizes):
            self.convs.append(nn.Conv1d(2 * embed_size, c, k))

    def forward(self, inputs):
        # (batch size, no. of tokens, 2 * embed_size), both embeddings on the vector axis
        embeddings = torch.cat((
            self.embedding(inputs), self.constant_embedding(inputs)), dim=2)
        # Conv1d wants the channels second: (batch size, 2 * embed_size, no. of tokens)
        embeddings = embeddings.permute(0, 2, 1)
        # Each convolution, pooled over time to (batch size, channels, 1), the ReLU, the last axis removed,
        # then all of them side by side on the channel axis
        encoding = torch.cat([
            torch.squeeze(self.relu(self.pool(conv(embeddings))), dim=-1)
            for conv in self.convs], dim=1)
        outputs = self.decoder(self.dropout(encoding))
        return outputs
