"""BUG: treats padding as a convolution's: pads X with zeros before scattering it, so the output
grows by 2*ph*sh rows where a transposed convolution's padding removes 2*ph rows.

expect: fail padding
"""
import torch
import torch.nn.functional as F


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    X = F.pad(X, (pw, pw, ph, ph))
    N, C_in, H, W = X.shape
    _, C_out, kh, kw = weight.shape
    Y = X.new_zeros((N, C_out, (H - 1) * sh + kh, (W - 1) * sw + kw))
    for i in range(H):
        for j in range(W):
            Y[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += torch.einsum("nc,cokl->nokl", X[:, :, i, j], weight)
    return Y if bias is None else Y + bias.reshape(1, -1, 1, 1)
