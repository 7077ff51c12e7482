"""OK: torch.var_mean with correction=0 is the biased variance and the mean in one call; the
reduction dims are every dim but the channel one, whatever the rank.

expect: pass
"""
import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps=1e-5, momentum=0.9, training=True):
    if training:
        dims = [d for d in range(X.dim()) if d != 1]
        var, mean = torch.var_mean(X, dim=dims, correction=0, keepdim=True)
        new_mean = torch.lerp(mean.detach(), moving_mean, momentum)
        new_var = torch.lerp(var.detach(), moving_var, momentum)
    else:
        mean, var = moving_mean, moving_var
        new_mean, new_var = moving_mean, moving_var
    return gamma * (X - mean) / (var + eps).sqrt() + beta, new_mean, new_var
