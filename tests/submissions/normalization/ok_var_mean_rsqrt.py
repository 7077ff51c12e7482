"""OK: torch.var_mean with correction=0 (the biased variance) and rsqrt, with gamma's dimensions
counted from the end as negative dims.

expect: pass
"""
import torch


def layer_norm(X, gamma, beta, eps=1e-5):
    dims = tuple(range(-gamma.dim(), 0))
    var, mean = torch.var_mean(X, dim=dims, correction=0, keepdim=True)
    return (X - mean) * torch.rsqrt(var + eps) * gamma + beta


def instance_norm(X, gamma, beta, eps=1e-5):
    var, mean = torch.var_mean(X, dim=(-2, -1), correction=0, keepdim=True)
    return (X - mean) * torch.rsqrt(var + eps) * gamma[:, None, None] + beta[:, None, None]
