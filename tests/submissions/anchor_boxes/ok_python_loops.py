"""OK: plain Python loops over rows, columns and the n + m - 1 (size, ratio) pairs, with math.sqrt, and
one torch.tensor at the end in data's dtype and on its device.

expect: pass
"""
import math

import torch


def multibox_prior(data, sizes, ratios):
    H, W = data.shape[-2], data.shape[-1]
    pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    boxes = []
    for i in range(H):
        for j in range(W):
            x, y = (j + 0.5) / W, (i + 0.5) / H
            for s, r in pairs:
                w, h = s * math.sqrt(r) * H / W, s / math.sqrt(r)
                boxes.append([x - w / 2, y - h / 2, x + w / 2, y + h / 2])
    return torch.tensor(boxes, dtype=data.dtype, device=data.device).reshape(1, -1, 4)
