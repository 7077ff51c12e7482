"""BUG: D2L 7.2's corr2d habit: the output is torch.zeros(...) with its float32 default dtype,
filled element by element, so float64 inputs come back as float32.

expect: fail dtype
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    N, _, H, W = X.shape
    C_out, _, kh, kw = weight.shape
    OH, OW = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    X = F.pad(X, (pw, pw, ph, ph))
    Y = torch.zeros((N, C_out, OH, OW), device=X.device)  # float32, whatever X is
    for i in range(OH):
        for j in range(OW):
            window = X[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            Y[:, :, i, j] = (window[:, None] * weight[None]).sum(dim=(2, 3, 4))
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
