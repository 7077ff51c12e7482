"""BUG: builds the book's float32 table and converts it at the end: a float64 result asked for
carries float32's rounding (errors of ~1e-7 instead of ~1e-16).

expect: fail dtype and device
"""
import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    P = torch.zeros((1, 1000, num_hiddens), device=device)
    X = torch.arange(1000, dtype=torch.float32, device=device).reshape(-1, 1) / torch.pow(
        10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32, device=device) / num_hiddens)
    P[:, :, 0::2] = torch.sin(X)
    P[:, :, 1::2] = torch.cos(X[:, :num_hiddens // 2])
    return P[0, :num_steps, :].to(dtype)
