"""BUG: accumulates the output in a tensor created with device="cpu".

Summing over kernel positions into torch.zeros(..., device="cpu") works on the CPU, but mixes
devices for inputs on a GPU (or the shape-only meta device).
expect: fail device
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
    Y = torch.zeros(N, C_out, OH, OW, dtype=X.dtype, device="cpu")
    for a in range(kh):
        for b in range(kw):
            patch = X[:, :, a:a + sh * (OH - 1) + 1:sh, b:b + sw * (OW - 1) + 1:sw]
            Y = Y + torch.einsum("nchw,oc->nohw", patch, weight[:, :, a, b])
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
