"""BUG: the book's P[:, :, 1::2] = torch.cos(X) with every frequency: an odd num_hiddens has one
cosine column fewer than frequencies, and the assignment fails.

expect: fail odd num_hiddens
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    positions = torch.arange(num_steps, dtype=torch.float64, device=device)[:, None]
    angles = positions / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64, device=device) / num_hiddens)
    P = torch.zeros(num_steps, num_hiddens, dtype=torch.float64, device=device)
    P[:, 0::2] = torch.sin(angles)
    P[:, 1::2] = torch.cos(angles)
    return P.to(dtype)
