"""OK: label smoothing as (1 - eps) * nll_loss + eps * the mean of -log_softmax over the classes; the soft
cross-entropy by einsum; and a smoothed target built with scatter (checked to agree, unused otherwise).

expect: pass
"""
import torch
import torch.nn.functional as F


def soft_cross_entropy(logits, target):
    log_probs = F.log_softmax(logits, dim=-1)
    return -torch.einsum("nk,nk->", target, log_probs) / logits.shape[0]


def smoothed_target(logits, y, eps):
    K = logits.shape[1]
    base = torch.full_like(logits, eps / K)
    return base.scatter(1, y[:, None], 1 - eps + eps / K)


def label_smoothing_loss(logits, y, eps):
    log_probs = logits.log_softmax(dim=1)
    return (1 - eps) * F.nll_loss(log_probs, y) + eps * (-log_probs.mean(dim=1)).mean()
