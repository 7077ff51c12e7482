"""log(sigmoid(x)) and log(1 - sigmoid(x)) written directly: -inf and nan for logits of 1000.

expect: fail numerical stability
"""

import torch
from torch import nn


def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    v = embed_v(center)
    u = embed_u(contexts_and_negatives)
    return torch.bmm(v, u.permute(0, 2, 1))


class SigmoidBCELoss(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        p = torch.sigmoid(inputs)
        out = -(target * torch.log(p) + (1 - target) * torch.log(1 - p))
        if mask is not None:
            out = out * mask
        return out.mean(dim=1)
