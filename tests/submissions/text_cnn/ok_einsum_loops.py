"""OK: the convolution written by hand with unfold and einsum from each nn.Conv1d's own weight, the average
over time as a sum divided by the number of steps, the features gathered in a loop; the Chinese edition's
super(TextCNN, self).__init__(**kwargs) and its comments.

expect: pass
"""
import torch
from torch import nn


class TextCNN(nn.Module):
    def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels,
                 **kwargs):
        super(TextCNN, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        # 这个嵌入层不需要训练
        self.constant_embedding = nn.Embedding(vocab_size, embed_size)
        for p in self.constant_embedding.parameters():
            p.requires_grad = False
        self.dropout = nn.Dropout(0.5)
        self.decoder = nn.Linear(sum(num_channels), 2)
        # 创建多个一维卷积层
        self.convs = nn.ModuleList()
        for i in range(len(kernel_sizes)):
            self.convs.append(nn.Conv1d(2 * embed_size, num_channels[i], kernel_sizes[i]))

    def forward(self, inputs):
        # 沿着向量维度将两个嵌入层连结起来
        embeddings = torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2)
        features = []
        for conv in self.convs:
            k = conv.weight.shape[-1]
            windows = embeddings.unfold(1, k, 1)  # (batch, steps, 2 * embed_size, k)
            y = torch.einsum("bsdk,cdk->bcs", windows, conv.weight) + conv.bias[:, None]
            steps = y.shape[-1]
            total = y[..., 0]
            for t in range(1, steps):
                total = total + y[..., t]
            features.append(torch.relu(total / steps))
        encoding = torch.cat(features, dim=1)
        return self.decoder(self.dropout(encoding))
