"""Adds and copies back in one pass: data[1] gets data[0] + data[1] before data[2] is added.

expect: fail sum in place
"""

import torch


def split_batch(X, y, devices):
    k = len(devices)
    return ([s.to(d) for s, d in zip(X.chunk(k), devices)], [s.to(d) for s, d in zip(y.chunk(k), devices)])


def allreduce(data):
    for i in range(1, len(data)):
        data[0][:] += data[i].to(data[0].device)
        data[i][:] = data[0].to(data[i].device)
