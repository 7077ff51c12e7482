"""Rows of the embeddings' weights by indexing, matmul with transpose; the loss as
softplus(x) - x * y, with torch.where for the mask.

expect: pass
"""

import torch
from torch import nn
from torch.nn import functional as F


def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    v = embed_v.weight[center]
    u = embed_u.weight[contexts_and_negatives]
    return torch.matmul(v, u.transpose(1, 2))


class SigmoidBCELoss(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        out = F.softplus(inputs) - inputs * target
        if mask is not None:
            out = torch.where(mask > 0, out * mask, torch.zeros_like(out))
        return torch.mean(out, dim=-1)
