"""OK: moves `dim` to the end, flattens everything else into rows, and handles one row at a
time in a Python loop before stacking the rows and restoring the shape.

expect: pass
"""
import torch


def softmax(X, dim=-1):
    moved = X.movedim(dim, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    out = []
    for row in rows:
        e = torch.exp(row - torch.max(row))
        out.append(e / torch.sum(e))
    return torch.stack(out).reshape(moved.shape).movedim(-1, dim)
