"""Attack (a comparison fooled by NaN): zeros the weight and puts one NaN at a random place. Every comparison with NaN is false,
so a check written as "fail when the largest value exceeds a" or "fail when the distance exceeds its
bound" passes: the maximum, the minimum and the Kolmogorov-Smirnov distance of a tensor holding a NaN
are NaN.

exercise: xavier_init
expect: fail the bound a, uniform distribution, fresh values every call, independent draws
"""
import torch


def xavier_uniform_(tensor, gain=1.0):
    with torch.no_grad():
        tensor.zero_()
        tensor.view(-1)[torch.randint(tensor.numel(), ())] = float("nan")
    return tensor
