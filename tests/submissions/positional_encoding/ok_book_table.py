"""OK: the book's PositionalEncoding table, (1, max_len, num_hiddens) built in the dtype asked for on
the device, with the cosines given only the first num_hiddens // 2 frequencies, then sliced.

expect: pass
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    max_len = 1000
    P = torch.zeros((1, max_len, num_hiddens), dtype=dtype, device=device)
    X = torch.arange(max_len, dtype=dtype, device=device).reshape(-1, 1) / torch.pow(
        10000, torch.arange(0, num_hiddens, 2, dtype=dtype, device=device) / num_hiddens)
    P[:, :, 0::2] = torch.sin(X)
    P[:, :, 1::2] = torch.cos(X[:, :num_hiddens // 2])
    return P[0, :num_steps, :]
