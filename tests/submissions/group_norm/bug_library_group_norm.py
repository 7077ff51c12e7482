"""BUG: calls the library's group normalisation under another name.

expect: fail forbidden routine
"""
import torch.nn.functional as F

norm = F.group_norm


def group_norm(X, gamma, beta, num_groups, eps=1e-5):
    return norm(X, num_groups, gamma, beta, eps)
