"""BUG: all the sines first, then all the cosines (torch.cat), instead of interleaving them.

expect: fail interleaved sines and cosines, values
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    positions = torch.arange(num_steps, dtype=torch.float64, device=device)[:, None]
    angles = positions / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64, device=device) / num_hiddens)
    P = torch.cat([torch.sin(angles), torch.cos(angles[:, :num_hiddens // 2])], dim=1)
    return P.to(dtype)
