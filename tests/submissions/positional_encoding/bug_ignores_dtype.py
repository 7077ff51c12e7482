"""BUG: always returns float32, whatever dtype was asked for.

expect: fail dtype
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    positions = torch.arange(num_steps, dtype=torch.float64, device=device)[:, None]
    angles = positions / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64, device=device) / num_hiddens)
    P = torch.zeros(num_steps, num_hiddens, dtype=torch.float64, device=device)
    P[:, 0::2] = torch.sin(angles)
    P[:, 1::2] = torch.cos(angles[:, :num_hiddens // 2])
    return P.float()
