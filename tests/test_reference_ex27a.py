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


# ----------------------------------------------------------------------------- dcgan_blocks


def block_by_functions(block, X, transposed, stride, padding, slope):
    """The block's forward written with torch.nn.functional on its own parameters (training mode)."""
    conv = block.conv2d_trans if transposed else block.conv2d
    Y = (F.conv_transpose2d if transposed else F.conv2d)(X, conv.weight, None, stride, padding)
    Y = F.batch_norm(Y, None, None, block.batch_norm.weight, block.batch_norm.bias, training=True, eps=1e-5)
    return torch.where(Y > 0, Y, slope * Y)


@pytest.mark.parametrize("kwargs, shape, stride, padding", [
    ({}, (2, 3, 5, 4), 2, 1),
    ({"in_channels": 4, "kernel_size": 3, "strides": 3, "padding": 0}, (2, 4, 3, 3), 3, 0),
])
def test_g_block_is_transposed_convolution_batch_norm_relu(kwargs, shape, stride, padding):
    torch.manual_seed(0)
    block = ref("dcgan_blocks", "G_block")(6, **kwargs).double()
    with torch.no_grad():
        block.batch_norm.weight.normal_(1.0, 0.5)
        block.batch_norm.bias.normal_(0.0, 0.5)
    X = torch.randn(*shape, generator=gen(1), dtype=torch.float64)
    assert_close(block(X), block_by_functions(block, X, True, stride, padding, 0.0))
    assert [name for name, _ in block.named_parameters()] == ["conv2d_trans.weight", "batch_norm.weight",
                                                              "batch_norm.bias"]


@pytest.mark.parametrize("kwargs, slope", [({}, 0.2), ({"alpha": 0.5, "strides": 1}, 0.5)])
def test_d_block_is_convolution_batch_norm_leaky_relu(kwargs, slope):
    torch.manual_seed(0)
    block = ref("dcgan_blocks", "D_block")(5, **kwargs).double()
    X = torch.randn(3, 3, 8, 6, generator=gen(2), dtype=torch.float64)
    want = block_by_functions(block, X, False, kwargs.get("strides", 2), 1, slope)
    assert_close(block(X), want)
    assert [name for name, _ in block.named_parameters()] == ["conv2d.weight", "batch_norm.weight",
                                                              "batch_norm.bias"]


def test_dcgan_blocks_give_the_sizes_the_book_prints():
    """D2L 20.2: G_block(20) doubles 16 x 16, G_block(20, strides=1, padding=0) makes 1 x 1 into 4 x 4,
    D_block(20) halves 16 x 16; net_G makes a (1, 100, 1, 1) latent (1, 3, 64, 64), net_D scores it (1, 1, 1, 1)."""
    G_block, D_block = ref("dcgan_blocks", "G_block"), ref("dcgan_blocks", "D_block")
    assert G_block(20)(torch.zeros((2, 3, 16, 16))).shape == (2, 20, 32, 32)
    assert G_block(20, strides=1, padding=0)(torch.zeros((2, 3, 1, 1))).shape == (2, 20, 4, 4)
    assert D_block(20)(torch.zeros((2, 3, 16, 16))).shape == (2, 20, 8, 8)
    n_G = n_D = 8  # the book's 64, smaller
    net_G = torch.nn.Sequential(
        G_block(in_channels=100, out_channels=n_G * 8, strides=1, padding=0), G_block(in_channels=n_G * 8,
        out_channels=n_G * 4), G_block(in_channels=n_G * 4, out_channels=n_G * 2),
        G_block(in_channels=n_G * 2, out_channels=n_G),
        torch.nn.ConvTranspose2d(n_G, 3, kernel_size=4, stride=2, padding=1, bias=False), torch.nn.Tanh())
    net_D = torch.nn.Sequential(
        D_block(n_D), D_block(in_channels=n_D, out_channels=n_D * 2), D_block(in_channels=n_D * 2,
        out_channels=n_D * 4), D_block(in_channels=n_D * 4, out_channels=n_D * 8),
        torch.nn.Conv2d(n_D * 8, 1, kernel_size=4, bias=False))
    fake = net_G(torch.zeros((2, 100, 1, 1)))
    assert fake.shape == (2, 3, 64, 64) and net_D(fake).shape == (2, 1, 1, 1)


def test_d_block_leaky_relu_in_place_keeps_gradients():
    """The book's nn.LeakyReLU(alpha, inplace=True) after the batch norm: backward still works."""
    block = ref("dcgan_blocks", "D_block")(4)
    X = torch.randn(2, 3, 6, 6, generator=gen(3), requires_grad=True)
    block(X).sum().backward()
    assert X.grad is not None and block.conv2d.weight.grad is not None
