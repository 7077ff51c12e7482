"""BUG: calls torch.nn.functional.batch_norm, reached through getattr with a built-up name.

The name check cannot read the name; the code policy refuses getattr itself.
expect: fail code rules
"""
import torch
import torch.nn.functional as F


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    routine = getattr(F, "batch" + "_n" + "orm")
    C = X.shape[1]
    running_mean = moving_mean.reshape(C).clone()
    running_var = moving_var.reshape(C).clone()
    Y = routine(X, running_mean, running_var, gamma.reshape(C), beta.reshape(C),
                training=training, momentum=1 - momentum, eps=eps)
    if not training:
        return Y, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    new_mean = momentum * moving_mean + (1 - momentum) * mean
    new_var = momentum * moving_var + (1 - momentum) * var
    return Y, new_mean, new_var
