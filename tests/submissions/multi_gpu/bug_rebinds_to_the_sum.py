"""data[i] = data[0].to(data[i].device) rebinds the list's slots to data[0] itself (on one device .to
returns the same tensor): the list shows the sum, but the caller's other tensors keep their old values.

expect: fail sum in place
"""

import torch


def split_batch(X, y, devices):
    k = len(devices)
    return ([s.to(d) for s, d in zip(X.chunk(k), devices)], [s.to(d) for s, d in zip(y.chunk(k), devices)])


def allreduce(data):
    for i in range(1, len(data)):
        data[0][:] += data[i].to(data[0].device)
    for i in range(1, len(data)):
        data[i] = data[0].to(data[i].device)
