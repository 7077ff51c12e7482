"""BUG: no permute: with num_steps == vocab_size the call runs, and the softmax goes over the
steps instead of the vocabulary (other shapes raise).

expect: fail loss values
"""
import torch
import torch.nn.functional as F


def sequence_mask(X, valid_len, value=0):
    mask = torch.arange(X.size(1), device=X.device)[None, :] < valid_len[:, None]
    X = X.clone()
    X[~mask] = value
    return X


def masked_softmax_ce_loss(pred, label, valid_len):
    weights = sequence_mask(torch.ones_like(label), valid_len)
    unweighted = F.cross_entropy(pred, label, reduction="none")
    return (unweighted * weights).mean(dim=1)
