"""BUG: builds the table on the default device and converts only the dtype: a GPU (or meta)
device asked for is ignored.

expect: fail device
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    positions = torch.arange(num_steps, dtype=torch.float64)[:, None]
    angles = positions / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64) / num_hiddens)
    P = torch.zeros(num_steps, num_hiddens, dtype=torch.float64)
    P[:, 0::2] = torch.sin(angles)
    P[:, 1::2] = torch.cos(angles[:, :num_hiddens // 2])
    return P.to(dtype)
