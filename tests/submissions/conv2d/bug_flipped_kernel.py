"""BUG: flips the kernel, computing a true (mathematical) convolution instead of D2L's cross-correlation.

Learners who know convolution from signal processing rotate the kernel by 180 degrees first.
D2L 7.2 (and every deep learning library) does not: a convolutional layer is a cross-correlation.
Every output with a non-symmetric kernel is wrong, starting with the book's 3x3 example.
expect: fail values, channels
"""
import torch
import torch.nn.functional as F


def conv2d(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    X = F.pad(X, (pw, pw, ph, ph))
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    K = torch.flip(weight, dims=(2, 3))  # "convolution flips the kernel"
    Y = torch.einsum("ncijkl,ockl->noij", windows, K)
    if bias is not None:
        Y = Y + bias.reshape(1, -1, 1, 1)
    return Y
