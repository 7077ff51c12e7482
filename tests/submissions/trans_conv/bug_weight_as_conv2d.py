"""BUG: reads weight in conv2d's layout, (C_out, C_in, kh, kw), instead of the transposed
convolution's (C_in, C_out, kh, kw): with as many input as output channels it runs, and mixes them.

expect: fail channels
"""
import torch


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    N, C_in, H, W = X.shape
    C_out, _, kh, kw = weight.shape
    Y = X.new_zeros((N, C_out, (H - 1) * sh + kh, (W - 1) * sw + kw))
    for i in range(H):
        for j in range(W):
            Y[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += torch.einsum("nc,ockl->nokl", X[:, :, i, j], weight)
    Y = Y[:, :, ph:Y.shape[2] - ph, pw:Y.shape[3] - pw]
    return Y if bias is None else Y + bias.reshape(1, -1, 1, 1)
