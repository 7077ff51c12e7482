"""BUG: extends D2L 7.2's output size n - k + 1 to strides as (n + 2p - k + 1) // s.

The right size is (n + 2p - k) // s + 1; the two agree for stride 1 and differ for a stride of 2
on a 4x4 input with a 2x2 kernel (1 row instead of 2).
expect: fail shape
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    H, W = X.shape[2:]
    OH = (H + 2 * ph - kh + 1) // sh
    OW = (W + 2 * pw - kw + 1) // sw
    X = F.pad(X, (pw, pw, ph, ph))
    Y = torch.zeros(X.shape[0], weight.shape[0], OH, OW, dtype=X.dtype, device=X.device)
    for i in range(OH):
        for j in range(OW):
            window = X[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            Y[:, :, i, j] = torch.einsum("nckl,ockl->no", window, weight)
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
