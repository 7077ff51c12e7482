"""Check the references of bilinear_kernel (D2L 14.11) and dcgan_blocks (D2L 20.2) against independent
implementations: F.interpolate for the kernel, torch's own layers for the blocks."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from tests.test_reference import assert_close, gen, ref

# ----------------------------------------------------------------------------- bilinear_kernel


def kernel_by_formula(channels, kernel_size):
    """The tent written element by element in Python floats: 1 - |a - (k - 1) / 2| / ceil(k / 2) per axis."""
    factor, center = math.ceil(kernel_size / 2), (kernel_size - 1) / 2
    axis = [1 - abs(a - center) / factor for a in range(kernel_size)]
    weight = torch.zeros(channels, channels, kernel_size, kernel_size, dtype=torch.float64)
    for c in range(channels):
        weight[c, c] = torch.tensor([[u * v for v in axis] for u in axis], dtype=torch.float64)
    return weight


def test_bilinear_kernel_is_the_books_kernel():
    """The values the book's code makes (it prints none): kernel sizes 4, 3 and 1, one channel."""
    bk = ref("bilinear_kernel")
    four = torch.tensor([0.25, 0.75, 0.75, 0.25])
    three = torch.tensor([0.5, 1.0, 0.5])
    assert torch.equal(bk(1, 1, 4)[0, 0], torch.outer(four, four))
    assert torch.equal(bk(1, 1, 3)[0, 0], torch.outer(three, three))
    assert torch.equal(bk(1, 1, 1), torch.ones(1, 1, 1, 1))
    weight = bk(3, 3, 4)
    assert weight.shape == (3, 3, 4, 4) and weight.dtype == torch.float32 and weight.device.type == "cpu"
    assert torch.equal(weight[1, 1], torch.outer(four, four)) and not weight[0, 1].any() and not weight[2, 0].any()


@pytest.mark.parametrize("kernel_size", [1, 2, 3, 4, 5, 6, 7, 8, 16, 63, 64])
def test_bilinear_kernel_is_the_tent_formula(kernel_size):
    got = ref("bilinear_kernel")(3, 3, kernel_size)
    assert_close(got.double(), kernel_by_formula(3, kernel_size), torch.float32)


@pytest.mark.parametrize("kernel_size, stride", [(4, 2), (8, 4), (16, 8), (5, 3), (9, 5)])
def test_bilinear_kernel_upsamples_like_interpolate_inside_the_border(kernel_size, stride):
    """Stride s, padding s // 2: F.interpolate(align_corners=False) but on the outer s // 2 pixels, which differ;
    replicate-padding by one pixel and cropping s pixels makes the two equal everywhere."""
    X = torch.rand(2, 3, 5, 7, generator=gen(kernel_size), dtype=torch.float64)
    W = ref("bilinear_kernel")(3, 3, kernel_size).double()
    pad = stride // 2
    Y = F.conv_transpose2d(X, W, stride=stride, padding=pad)
    want = F.interpolate(X, scale_factor=stride, mode="bilinear", align_corners=False)
    assert Y.shape == want.shape == (2, 3, 5 * stride, 7 * stride)
    inner = (..., slice(pad, -pad), slice(pad, -pad))
    torch.testing.assert_close(Y[inner], want[inner], rtol=1e-6, atol=1e-6)
    edge = (Y - want).abs()
    assert bool((edge[..., 0, :] > 1e-3).all()) and bool((edge[..., :, -1] > 1e-3).all())  # the border differs
    padded = F.conv_transpose2d(F.pad(X, (1, 1, 1, 1), mode="replicate"), W, stride=stride, padding=pad)
    torch.testing.assert_close(padded[..., stride:-stride, stride:-stride], want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("stride", [2, 3, 4])
def test_odd_bilinear_kernel_is_interpolate_with_aligned_corners(stride):
    """kernel_size 2s - 1, stride s, padding s - 1: F.interpolate(align_corners=True), the whole image."""
    X = torch.rand(1, 2, 4, 6, generator=gen(stride), dtype=torch.float64)
    W = ref("bilinear_kernel")(2, 2, 2 * stride - 1).double()
    Y = F.conv_transpose2d(X, W, stride=stride, padding=stride - 1)
    want = F.interpolate(X, size=(3 * stride + 1, 5 * stride + 1), mode="bilinear", align_corners=True)
    torch.testing.assert_close(Y, want, rtol=1e-6, atol=1e-6)


def test_the_books_upsampling_layer_doubles_the_image():
    """D2L 14.11's experiment: nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2, bias=False)."""
    conv_trans = torch.nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2, bias=False)
    conv_trans.weight.data.copy_(ref("bilinear_kernel")(3, 3, 4))
    X = torch.rand(1, 3, 6, 8, generator=gen(0))
    Y = conv_trans(X)
    assert Y.shape == (1, 3, 12, 16)
    want = F.interpolate(X, scale_factor=2, mode="bilinear", align_corners=False)
    torch.testing.assert_close(Y[..., 1:-1, 1:-1], want[..., 1:-1, 1:-1], rtol=1e-5, atol=1e-6)
