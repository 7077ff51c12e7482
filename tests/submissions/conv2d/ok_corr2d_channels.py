"""OK: the book's own structure: corr2d (D2L 7.2) for one channel, summed over input channels
(corr2d_multi_in, D2L 7.4) and stacked over output channels (corr2d_multi_in_out), written into
an output made with torch.zeros(..., dtype=X.dtype, device=X.device).

Padding comes from torch.nn.functional.pad, stride from the slicing; float64 stays float64.
expect: pass
"""
import torch
from torch.nn import functional


def corr2d(X, K, sh, sw):
    h, w = K.shape
    OH, OW = (X.shape[-2] - h) // sh + 1, (X.shape[-1] - w) // sw + 1
    Y = torch.zeros((X.shape[0], OH, OW), dtype=X.dtype, device=X.device)
    for i in range(OH):
        for j in range(OW):
            Y[:, i, j] = (X[:, i * sh:i * sh + h, j * sw:j * sw + w] * K).sum(dim=(-2, -1))
    return Y


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    X = functional.pad(X, (pw, pw, ph, ph))
    outs = []
    for o in range(weight.shape[0]):
        Y = sum(corr2d(X[:, c], weight[o, c], sh, sw) for c in range(X.shape[1]))
        if bias is not None:
            Y = Y + bias[o]
        outs.append(Y)
    return torch.stack(outs, dim=1)
