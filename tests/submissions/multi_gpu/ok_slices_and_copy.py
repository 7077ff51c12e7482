"""Shards by index arithmetic (ceil division and slices); the sum kept apart with torch.stack, then copy_.

expect: pass
"""

import torch


def split_batch(X, y, devices):
    k = len(devices)
    size = -(-X.shape[0] // k)
    xs, ys = [], []
    for i, device in enumerate(devices):
        xs.append(X[i * size:(i + 1) * size].to(device))
        ys.append(y[i * size:(i + 1) * size].to(device))
    return xs, ys


def allreduce(data):
    home = data[0].device
    total = torch.stack([t.to(home) for t in data]).sum(dim=0)
    for t in data:
        t.copy_(total.to(t.device))
