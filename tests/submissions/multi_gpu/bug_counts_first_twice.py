"""The sum loop starts at 0: data[0] is added to itself.

expect: fail sum in place
"""

import torch


def split_batch(X, y, devices):
    k = len(devices)
    return ([s.to(d) for s, d in zip(X.chunk(k), devices)], [s.to(d) for s, d in zip(y.chunk(k), devices)])


def allreduce(data):
    total = data[0].clone()
    for i in range(len(data)):
        total += data[i].to(total.device)
    for i in range(len(data)):
        data[i][:] = total.to(data[i].device)
