"""OK: plain Python loops, and one formula for the centre, (kernel_size - 1) / 2, which is factor - 1 for an
odd size and factor - 0.5 for an even one.

expect: pass
"""
import torch


def bilinear_kernel(in_channels, out_channels, kernel_size):
    factor = (kernel_size + 1) // 2
    center = (kernel_size - 1) / 2
    rows = []
    for a in range(kernel_size):
        row = []
        for b in range(kernel_size):
            row.append((1 - abs(a - center) / factor) * (1 - abs(b - center) / factor))
        rows.append(row)
    filt = torch.tensor(rows)
    weight = torch.zeros(in_channels, out_channels, kernel_size, kernel_size)
    for c in range(in_channels):
        weight[c, c] = filt
    return weight
