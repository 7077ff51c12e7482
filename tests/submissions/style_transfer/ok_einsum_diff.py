"""OK: gram with einsum over the pixels, the losses as sums divided by counts, tv with torch.diff.

expect: pass
"""
import torch


def content_loss(Y_hat, Y):
    d = Y_hat - Y.detach()
    return (d * d).sum() / d.numel()


def gram(X):
    return torch.einsum("nchw,ndhw->cd", X, X) / X.numel()


def style_loss(Y_hat, gram_Y):
    d = gram(Y_hat) - gram_Y.detach()
    return (d ** 2).sum() / d.numel()


def tv_loss(Y_hat):
    dh = torch.diff(Y_hat, dim=2).abs().mean()
    dw = torch.diff(Y_hat, dim=-1).abs().mean()
    return (dh + dw) / 2
