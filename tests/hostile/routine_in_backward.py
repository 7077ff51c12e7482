"""Attack (after the recording window): an honest forward pass, but a custom backward that gets
the gradient from the library routine; the backward pass runs after the recorded call.

expect: fail forbidden routine
policy: refused
"""
import torch

_routine = getattr(torch, "soft" + "max")


class _Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, dim):
        shifted = X - X.max(dim, keepdim=True).values
        out = shifted.exp() / shifted.exp().sum(dim, keepdim=True)
        ctx.save_for_backward(X)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (X,) = ctx.saved_tensors
        with torch.enable_grad():
            x = X.detach().requires_grad_(True)
            y = _routine(x, ctx.dim)
            print("BREACH: the routine ran in the backward pass")
            (g,) = torch.autograd.grad(y, x, grad)
        return g, None


def softmax(X, dim=-1):
    return _Softmax.apply(X, dim)
