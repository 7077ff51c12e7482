"""The center vectors detached: no gradient reaches embed_v (its .grad stays None).

expect: fail gradients
"""

import torch
from torch import nn


def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    v = embed_v(center).detach()
    u = embed_u(contexts_and_negatives)
    return torch.bmm(v, u.permute(0, 2, 1))


class SigmoidBCELoss(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        out = torch.clamp(inputs, min=0) - inputs * target + torch.log1p(torch.exp(-torch.abs(inputs)))
        if mask is not None:
            out = out * mask
        return out.mean(dim=1)
