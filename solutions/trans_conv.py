"""Reference solution for the trans_conv exercise (D2L 14.10): transposed convolution with channels, stride, padding and bias."""

import torch


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def trans_conv(X: torch.Tensor, weight: torch.Tensor, bias=None, stride=1, padding=0) -> torch.Tensor:
    """Scatter every input element times the kernel into the output, as D2L 14.10's trans_conv.

    For each kernel offset (a, b), input element (i, j) lands at output (i*sh + a, j*sw + b); summing
    the C_in channels is one einsum per offset. `padding` then removes ph rows and pw columns from
    each side of the full (H - 1)*sh + kh by (W - 1)*sw + kw result.
    """
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    N, _, H, W = X.shape
    _, C_out, kh, kw = weight.shape
    full_h, full_w = (H - 1) * sh + kh, (W - 1) * sw + kw
    Y = X.new_zeros((N, C_out, full_h, full_w))
    for a in range(kh):
        for b in range(kw):
            part = torch.einsum("nchw,co->nohw", X, weight[:, :, a, b])
            Y[:, :, a:a + (H - 1) * sh + 1:sh, b:b + (W - 1) * sw + 1:sw] += part
    Y = Y[:, :, ph:full_h - ph, pw:full_w - pw]
    return Y if bias is None else Y + bias.reshape(1, -1, 1, 1)
