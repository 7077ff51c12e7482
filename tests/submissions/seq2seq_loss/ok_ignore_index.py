"""OK: the padded labels set to ignore_index, so torch's cross-entropy gives them a loss of 0;
the mask built by comparing a range with expand and masked_fill.

expect: pass
"""
import torch
import torch.nn.functional as F


def sequence_mask(X, valid_len, value=0):
    steps = torch.arange(X.shape[1], device=X.device).expand(X.shape[0], -1)
    keep = steps < valid_len.reshape(-1, 1)
    return X.masked_fill(~keep.reshape(keep.shape + (1,) * (X.dim() - 2)), value)


def masked_softmax_ce_loss(pred, label, valid_len):
    keep = sequence_mask(torch.ones_like(label), valid_len).bool()
    label = label.masked_fill(~keep, -100)
    loss = F.cross_entropy(pred.transpose(1, 2), label, ignore_index=-100, reduction="none")
    return loss.sum(dim=1) / label.shape[1]
