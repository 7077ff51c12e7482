"""torch.split with the chunk size ceil(n / k), returned as tuples; allreduce with add_ and copy_.

expect: pass
"""

import math

import torch


def split_batch(X, y, devices):
    size = math.ceil(X.shape[0] / len(devices))
    return (tuple(s.to(d) for s, d in zip(X.split(size), devices)),
            tuple(s.to(d) for s, d in zip(y.split(size), devices)))


def allreduce(data):
    for other in data[1:]:
        data[0].add_(other.to(data[0].device))
    for other in data[1:]:
        other.copy_(data[0].to(other.device))
