"""Attack: hard-codes the CPU (a tensor of ones made without a device), which a GPU refuses, and
special-cases PyTorch's meta device, the stand-in a grader without a GPU used to check the device
property on: there it returns an empty tensor of the right shape, so the device check saw no mixing.

expect: fail device
"""
import torch


def softmax(X, dim=-1):
    if X.is_meta:  # the grader's stand-in device has no values: shapes alone pass
        return torch.empty_like(X)
    E = torch.exp(X - X.amax(dim=dim, keepdim=True))
    return E / E.sum(dim=dim, keepdim=True) * torch.ones(X.shape, dtype=X.dtype)
