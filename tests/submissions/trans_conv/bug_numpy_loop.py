"""BUG: scatters the windows in a NumPy array and wraps the result back into a tensor: the values
are right, but no gradient reaches X, weight or bias.

expect: fail gradients
"""
import numpy as np
import torch


def trans_conv(X, weight, bias=None, stride=1, padding=0):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    A, K = X.detach().cpu().numpy(), weight.detach().cpu().numpy()
    N, C_in, H, W = A.shape
    _, C_out, kh, kw = K.shape
    Y = np.zeros((N, C_out, (H - 1) * sh + kh, (W - 1) * sw + kw), dtype=A.dtype)
    for i in range(H):
        for j in range(W):
            Y[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("nc,cokl->nokl", A[:, :, i, j], K)
    Y = Y[:, :, ph:Y.shape[2] - ph, pw:Y.shape[3] - pw]
    if bias is not None:
        Y = Y + bias.detach().cpu().numpy().reshape(1, -1, 1, 1)
    return torch.from_numpy(np.ascontiguousarray(Y)).to(X.device)
