"""OK: exp(X - logsumexp(X)) is softmax, and logsumexp is stable by construction.

expect: pass
"""
import torch


def softmax(X, dim=-1):
    return torch.exp(X - torch.logsumexp(X, dim=dim, keepdim=True))
