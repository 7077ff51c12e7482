"""OK: the book's trans_conv loop, element by element, for every example and both channel
dimensions, with the stride and the crop added. Slow but exact.

expect: pass
"""
import torch


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else tuple(stride)
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    N, C_in, H, W = X.shape
    C_out, kh, kw = weight.shape[1], weight.shape[2], weight.shape[3]
    Y = torch.zeros((N, C_out, (H - 1) * sh + kh, (W - 1) * sw + kw), dtype=X.dtype, device=X.device)
    for n in range(N):
        for c in range(C_in):
            for i in range(H):
                for j in range(W):
                    Y[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += X[n, c, i, j] * weight[c]
    Y = Y[:, :, ph:Y.shape[2] - ph, pw:Y.shape[3] - pw]
    if bias is not None:
        Y = Y + bias[None, :, None, None]
    return Y
