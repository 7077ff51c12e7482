"""OK: every entry with math.sin / math.cos in two Python loops, one column at a time, then one tensor.

expect: pass
"""
import math

import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    rows = []
    for i in range(num_steps):
        row = []
        for col in range(num_hiddens):
            angle = i / 10000 ** ((col - col % 2) / num_hiddens)
            row.append(math.sin(angle) if col % 2 == 0 else math.cos(angle))
        rows.append(row)
    return torch.tensor(rows, dtype=dtype, device=device).reshape(num_steps, num_hiddens)
