"""OK: D2L 7.2's corr2d grown by hand: loops over batch, output channel and output position, each
output a (window * kernel).sum() over all input channels, assembled with torch.stack.

Slow but correct; zero padding by concatenating zero blocks made with new_zeros.
expect: pass
"""
import torch


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    N, C, H, W = X.shape
    C_out, _, kh, kw = weight.shape
    if pw:
        side = X.new_zeros(N, C, H, pw)
        X = torch.cat([side, X, side], dim=3)
    if ph:
        top = X.new_zeros(N, C, ph, X.shape[3])
        X = torch.cat([top, X, top], dim=2)
    OH = (X.shape[2] - kh) // sh + 1
    OW = (X.shape[3] - kw) // sw + 1
    batch = []
    for n in range(N):
        channels = []
        for o in range(C_out):
            rows = []
            for i in range(OH):
                row = []
                for j in range(OW):
                    window = X[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    value = (window * weight[o]).sum()
                    if bias is not None:
                        value = value + bias[o]
                    row.append(value)
                rows.append(torch.stack(row))
            channels.append(torch.stack(rows))
        batch.append(torch.stack(channels))
    return torch.stack(batch)
