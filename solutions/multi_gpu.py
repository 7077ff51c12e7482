"""Reference solution for multi_gpu (D2L 13.5): split_batch by hand, and the book's allreduce."""

import torch


def split_batch(X, y, devices):
    """Shard i of X.chunk(k) and y.chunk(k) goes to devices[i]."""
    k = len(devices)
    return ([shard.to(device) for shard, device in zip(X.chunk(k), devices)],
            [shard.to(device) for shard, device in zip(y.chunk(k), devices)])


def allreduce(data):
    """Sum onto data[0], then copy the sum back to every device, in place."""
    for i in range(1, len(data)):
        data[0][:] += data[i].to(data[0].device)
    for i in range(1, len(data)):
        data[i][:] = data[0].to(data[i].device)
