"""Attack: on any device but the CPU, moves the input to the CPU and computes there with tensors made
without a device, then returns the CPU result. Against a stand-in without values (meta), `X.cpu()`
raised "cannot copy out of meta tensor", which the grader took as code that needs real values and
did not count against the device property.

expect: fail device
"""
import torch


def softmax(X, dim=-1):
    if X.device.type != "cpu":  # whatever the grader's second device is, work on the CPU
        X = X.cpu()
    E = torch.exp(X - X.amax(dim=dim, keepdim=True))
    return E / (E.sum(dim=dim, keepdim=True) * torch.ones(X.shape, dtype=X.dtype))
