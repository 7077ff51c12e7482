"""BUG: the tent along the rows only; broadcasting copies it across the columns instead of multiplying.

expect: fail even kernel sizes; odd kernel sizes; bilinear upsampling
"""
import torch


def bilinear_kernel(in_channels, out_channels, kernel_size):
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    og = torch.arange(kernel_size).reshape(-1, 1)
    filt = 1 - torch.abs(og - center) / factor
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight
