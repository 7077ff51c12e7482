"""OK: gathers the true-class probabilities along dim 1 and counts matches with torch.eq and .item().

expect: pass
"""
import torch


def cross_entropy(y_hat, y):
    return -y_hat.gather(1, y.unsqueeze(1)).squeeze(1).log()


def accuracy(y_hat, y):
    preds = y_hat.max(dim=1).indices if y_hat.dim() == 2 and y_hat.shape[1] > 1 else y_hat.long()
    return float(torch.eq(preds, y).sum().item())
