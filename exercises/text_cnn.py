"""Exercise text_cnn (D2L 16.3): textCNN for sentiment analysis, as an nn.Module over token ids."""

import torch
from torch import nn


class TextCNN(nn.Module):
    """textCNN: two embeddings side by side, one Conv1d per kernel width, pooling over time, dropout, a decoder.

    D2L 16.3, Sentiment Analysis: Using Convolutional Neural Networks:
    https://d2l.ai/chapter_natural-language-processing-applications/sentiment-analysis-cnn.html

    What to implement
        __init__(vocab_size, embed_size, kernel_sizes, num_channels, **kwargs):
            self.embedding = nn.Embedding(vocab_size, embed_size)            # trained
            self.constant_embedding = nn.Embedding(vocab_size, embed_size)   # frozen, here in __init__:
            self.constant_embedding.weight.requires_grad = False
            self.dropout = nn.Dropout(0.5)
            self.decoder = nn.Linear(sum(num_channels), 2)
            self.pool = nn.AdaptiveAvgPool1d(1)
            self.relu = nn.ReLU()
            self.convs = nn.ModuleList(), with nn.Conv1d(2 * embed_size, c, k) appended for each
                c, k in zip(num_channels, kernel_sizes)
        forward(inputs): inputs are token ids of shape (batch, tokens); returns (batch, 2)
            1. concatenate both embeddings on the vector axis: (batch, tokens, 2 * embed_size)
            2. permute to (batch, 2 * embed_size, tokens): Conv1d wants the channels second
            3. for each conv: pool over time, ReLU, drop the last axis: (batch, c)
            4. concatenate those on the channel axis: (batch, sum(num_channels))
            5. dropout, then the decoder

    Conventions
        - Pooling: the book's text calls it max-over-time pooling, but its PyTorch code (which this course
          follows) pools with nn.AdaptiveAvgPool1d(1), the average over time, and applies the ReLU to the
          pooled value. The grader checks the code's average.
        - The book freezes constant_embedding outside the class, after loading GloVe
          (net.constant_embedding.weight.requires_grad = False); here the class does it in __init__,
          so the grader sees it. No gradient may reach it; every other parameter trains.
        - The attribute names embedding, constant_embedding, convs (an nn.ModuleList: a plain list
          registers nothing) and decoder: the grader loads the reference's weights by them
          (convs.0.weight, decoder.weight, ...). Values are graded after .eval(), where dropout does
          nothing; a training-mode run checks the dropout.

    Forbidden: nothing; nn.Embedding, nn.Conv1d, nn.AdaptiveAvgPool1d, nn.Dropout and nn.Linear are the
    exercise's parts (the exercise is their wiring).
    """

    def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError("TextCNN: fill in this function (__init__ and forward)")

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("TextCNN.forward: fill in this function")
