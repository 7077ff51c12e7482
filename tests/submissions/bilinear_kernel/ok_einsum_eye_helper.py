"""OK: a private helper for one axis, torch.outer for the filter and einsum with an identity for the channels.

expect: pass
"""
import torch


def _tent(kernel_size):
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 else factor - 0.5
    return 1 - (torch.arange(kernel_size, dtype=torch.float64) - center).abs() / factor


def bilinear_kernel(in_channels, out_channels, kernel_size):
    axis = _tent(kernel_size)
    filt = torch.outer(axis, axis)
    eye = torch.eye(in_channels, out_channels, dtype=torch.float64)
    return torch.einsum("io,ab->ioab", eye, filt).to(torch.float32)
