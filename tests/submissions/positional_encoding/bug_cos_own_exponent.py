"""BUG: gives each cosine column its own index in the exponent, (2j + 1) / d, instead of
the frequency of its sine partner 2j / d.

expect: fail values, interleaved sines and cosines
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    positions = torch.arange(num_steps, dtype=torch.float64, device=device)[:, None]
    angles = positions / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64, device=device) / num_hiddens)
    P = torch.zeros(num_steps, num_hiddens, dtype=torch.float64, device=device)
    P[:, 0::2] = torch.sin(angles)
    odd = torch.arange(1, num_hiddens, 2, dtype=torch.float64, device=device)
    P[:, 1::2] = torch.cos(positions / torch.pow(10000, odd / num_hiddens))
    return P.to(dtype)
