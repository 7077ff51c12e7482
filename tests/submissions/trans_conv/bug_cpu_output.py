"""BUG: the output is created with torch.zeros(..., dtype=X.dtype) and no device, so it is on the
CPU whatever device X is on.

expect: fail device
"""
import torch


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    N, C_in, H, W = X.shape
    _, C_out, kh, kw = weight.shape
    Y = torch.zeros((N, C_out, (H - 1) * sh + kh, (W - 1) * sw + kw), dtype=X.dtype)
    for i in range(H):
        for j in range(W):
            Y[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += torch.einsum("nc,cokl->nokl", X[:, :, i, j], weight)
    Y = Y[:, :, ph:Y.shape[2] - ph, pw:Y.shape[3] - pw]
    return Y if bias is None else Y + bias.reshape(1, -1, 1, 1)
