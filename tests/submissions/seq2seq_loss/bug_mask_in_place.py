"""BUG: the book's code as printed: writes into the caller's X and returns it.

expect: fail no mutation
"""
import torch
import torch.nn.functional as F


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


def masked_softmax_ce_loss(pred, label, valid_len):
    weights = sequence_mask(torch.ones_like(label), valid_len)
    unweighted = F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")
    return (unweighted * weights).mean(dim=1)
