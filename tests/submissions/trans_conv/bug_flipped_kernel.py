"""BUG: flips the kernel (the transposed convolution as a "true" convolution of the scattered input),
so each window receives the kernel upside down and mirrored.

expect: fail values
"""
import torch


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    weight = weight.flip(2, 3)
    N, C_in, H, W = X.shape
    _, C_out, kh, kw = weight.shape
    Y = X.new_zeros((N, C_out, (H - 1) * sh + kh, (W - 1) * sw + kw))
    for i in range(H):
        for j in range(W):
            Y[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += torch.einsum("nc,cokl->nokl", X[:, :, i, j], weight)
    Y = Y[:, :, ph:Y.shape[2] - ph, pw:Y.shape[3] - pw]
    return Y if bias is None else Y + bias.reshape(1, -1, 1, 1)
