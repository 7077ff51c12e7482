"""embed_u for the center words and embed_v for the contexts: the two tables swapped.

expect: fail values
"""

import torch
from torch import nn


def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    v = embed_u(center)
    u = embed_v(contexts_and_negatives)
    return torch.bmm(v, u.permute(0, 2, 1))


class SigmoidBCELoss(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        out = torch.clamp(inputs, min=0) - inputs * target + torch.log1p(torch.exp(-torch.abs(inputs)))
        if mask is not None:
            out = out * mask
        return out.mean(dim=1)
