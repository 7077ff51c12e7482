"""BUG: loops over the right output positions but forgets to multiply the column index by the stride.

The output size uses both strides, so the shape is right; the windows of the columns start at j
instead of j * sw, which only shows when sw > 1.
expect: fail stride
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (pw, pw, ph, ph))
    OH = (X.shape[2] - kh) // sh + 1
    OW = (X.shape[3] - kw) // sw + 1
    rows = []
    for i in range(OH):
        cols = []
        for j in range(OW):
            window = X[:, :, i * sh:i * sh + kh, j:j + kw]  # should be j * sw
            cols.append(torch.einsum("nckl,ockl->no", window, weight))
        rows.append(torch.stack(cols, dim=-1))
    Y = torch.stack(rows, dim=-2)
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
