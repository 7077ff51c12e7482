"""BUG: masks the logits instead of the loss: a padded step with zero logits still costs
log(vocab_size).

expect: fail padded steps weighted 0
"""
import torch
import torch.nn.functional as F


def sequence_mask(X, valid_len, value=0):
    mask = torch.arange(X.size(1), device=X.device)[None, :] < valid_len[:, None]
    X = X.clone()
    X[~mask] = value
    return X


def masked_softmax_ce_loss(pred, label, valid_len):
    pred = sequence_mask(pred, valid_len)
    return F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none").mean(dim=1)
