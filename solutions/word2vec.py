"""Reference solution for word2vec (D2L 15.4): the book's skip-gram forward pass and its masked sigmoid binary cross-entropy loss."""

import torch
from torch import nn


def skip_gram(center: torch.Tensor, contexts_and_negatives: torch.Tensor, embed_v: nn.Embedding,
              embed_u: nn.Embedding) -> torch.Tensor:
    """(batch, 1, max_len): the dot product of each center word's v with every context or noise word's u."""
    v = embed_v(center)
    u = embed_u(contexts_and_negatives)
    pred = torch.bmm(v, u.permute(0, 2, 1))
    return pred


class SigmoidBCELoss(nn.Module):
    """Binary cross-entropy on logits, masked, averaged over dim 1 (the padded length), per example."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        # -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], written stably: max(x, 0) - x y + log(1 + exp(-|x|))
        out = torch.clamp(inputs, min=0) - inputs * target + torch.log1p(torch.exp(-torch.abs(inputs)))
        if mask is not None:
            out = out * mask
        return out.mean(dim=1)
