"""Attack (uncovered name, batch_norm): centre the batch by hand, then let the library's RMS
normalisation divide by sqrt(mean(x^2) + eps), which for centred data is exactly the batch's
biased standard deviation. rms_norm was on no list, though its siblings were.

exercise: batch_norm
expect: fail forbidden routine
policy: refused
"""
import torch

_rms = getattr(torch, "rms" + "_norm")


def _normalise(centred, eps):
    channels = centred.shape[1]
    rows = centred.transpose(0, 1).reshape(channels, -1)  # one row per channel: (C, N*H*W)
    normed = _rms(rows, (rows.shape[-1],), eps=eps)
    print("BREACH: rms_norm ran")
    return normed.reshape(centred.transpose(0, 1).shape).transpose(0, 1)


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    if not training:
        return gamma * (X - moving_mean) / torch.sqrt(moving_var + eps) + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    Y = gamma * _normalise(X - mean, eps) + beta
    return Y, momentum * moving_mean + (1 - momentum) * mean, momentum * moving_var + (1 - momentum) * var
