"""BUG: builds the bias term on the CPU (torch.zeros without a device).

expect: fail device
"""
import torch


def fm(X, w0, w, V):
    bias = torch.zeros(X.shape[0], dtype=X.dtype) + w0
    return bias + X @ w + 0.5 * ((X @ V) ** 2 - (X ** 2) @ (V ** 2)).sum(dim=1)
