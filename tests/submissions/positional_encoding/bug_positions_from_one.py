"""BUG: numbers the positions from 1: the first row should be sin(0) = 0, cos(0) = 1.

expect: fail values
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    positions = torch.arange(1, num_steps + 1, dtype=torch.float64, device=device)[:, None]
    angles = positions / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64, device=device) / num_hiddens)
    P = torch.zeros(num_steps, num_hiddens, dtype=torch.float64, device=device)
    P[:, 0::2] = torch.sin(angles)
    P[:, 1::2] = torch.cos(angles[:, :num_hiddens // 2])
    return P.to(dtype)
