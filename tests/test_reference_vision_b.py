"""Check the vision-b references (residual_block, dense_block) against independent
implementations: torchvision's ResNet and DenseNet blocks, torch's functional routines, and the
shapes the book prints."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.resnet import BasicBlock

from tests.test_reference import DTYPES, SEEDS, gen, ref

# ----------------------------------------------------------------------------- residual_block


def _randomise(module: nn.Module, g: torch.Generator) -> None:
    """Random weights and running statistics, so no layer is the identity."""
    with torch.no_grad():
        for name, t in list(module.named_parameters()) + list(module.named_buffers()):
            if t.is_floating_point():
                draw = torch.rand(t.shape, generator=g, dtype=t.dtype) + 0.5 if name.endswith("running_var") \
                    else torch.randn(t.shape, generator=g, dtype=t.dtype) * 0.5
                t.copy_(draw)


def test_residual_keeps_or_halves_the_shape_as_the_book_prints():
    """D2L 8.6 prints torch.Size([4, 3, 6, 6]) and, with use_1x1conv=True, strides=2, [4, 6, 3, 3]."""
    X = torch.rand(4, 3, 6, 6)
    assert ref("residual_block", "Residual")(3, 3)(X).shape == (4, 3, 6, 6)
    assert ref("residual_block", "Residual")(3, 6, use_1x1conv=True, strides=2)(X).shape == (4, 6, 3, 3)
    names = [n for n, _ in ref("residual_block", "Residual")(3, 3).named_parameters()]
    assert names == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                     "bn1.weight", "bn1.bias", "bn2.weight", "bn2.bias"]


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_residual_matches_torchvisions_basic_block(seed, dtype, train):
    """torchvision's BasicBlock is the same wiring with bias-free convolutions and a downsample module:
    give the reference zero biases and the same weights."""
    g = gen(seed)
    c_in, c, stride = (3, 5, 2) if seed % 2 else (4, 4, 1)
    block = ref("residual_block", "Residual")(c_in, c, use_1x1conv=stride != 1 or seed == 2, strides=stride)
    block = block.to(dtype)
    _randomise(block, g)
    with torch.no_grad():
        for conv in (block.conv1, block.conv2, block.conv3):
            if conv is not None:
                conv.bias.zero_()
    downsample = None
    if block.conv3 is not None:
        downsample = nn.Conv2d(c_in, c, kernel_size=1, stride=stride, bias=False).to(dtype)
    theirs = BasicBlock(c_in, c, stride=stride, downsample=downsample).to(dtype)
    with torch.no_grad():
        for name, t in list(theirs.named_parameters()) + list(theirs.named_buffers()):
            ours = name.replace("downsample", "conv3")
            t.copy_(dict(block.named_parameters()).get(ours, dict(block.named_buffers()).get(ours)))
    block.train(train)
    theirs.train(train)
    X = torch.randn(3, c_in, 7, 6, generator=g, dtype=dtype, requires_grad=True)
    got, want = block(X), theirs(X)
    torch.testing.assert_close(got, want)
    G = torch.randn(want.shape, generator=g, dtype=dtype)
    torch.testing.assert_close(torch.autograd.grad((got * G).sum(), X)[0], torch.autograd.grad((want * G).sum(), X)[0])


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_residual_matches_functional_routines_with_biases(train):
    g = gen(3)
    block = ref("residual_block", "Residual")(2, 3, use_1x1conv=True, strides=2).double()
    _randomise(block, g)
    block.train(train)
    X = torch.randn(2, 2, 5, 5, generator=g, dtype=torch.float64)

    def bn(m, Y):
        return F.batch_norm(Y, m.running_mean.clone(), m.running_var.clone(), m.weight, m.bias, training=train)
    Y = F.relu(bn(block.bn1, F.conv2d(X, block.conv1.weight, block.conv1.bias, stride=2, padding=1)))
    Y = bn(block.bn2, F.conv2d(Y, block.conv2.weight, block.conv2.bias, padding=1))
    want = F.relu(Y + F.conv2d(X, block.conv3.weight, block.conv3.bias, stride=2))
    torch.testing.assert_close(block(X), want)


# ----------------------------------------------------------------------------- dense_block


def test_dense_block_and_transition_give_the_shapes_the_book_prints():
    """D2L 8.7 prints torch.Size([4, 23, 8, 8]) for DenseBlock(2, 3, 10), then [4, 10, 4, 4] after
    transition_block(23, 10)."""
    Y = ref("dense_block", "DenseBlock")(2, 3, 10)(torch.randn(4, 3, 8, 8))
    assert Y.shape == (4, 23, 8, 8)
    assert ref("dense_block", "transition_block")(23, 10)(Y).shape == (4, 10, 4, 4)


def _bn_relu_conv(unit, X, train, padding):
    bn, conv = unit[0], unit[2]
    Y = F.batch_norm(X, bn.running_mean.clone(), bn.running_var.clone(), bn.weight, bn.bias, training=train)
    return F.conv2d(F.relu(Y), conv.weight, conv.bias, padding=padding)


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_dense_block_matches_functional_routines(seed, dtype, train):
    g = gen(seed)
    num_convs, c_in, c = 1 + seed, 2, 3
    block = ref("dense_block", "DenseBlock")(num_convs, c_in, c).to(dtype)
    _randomise(block, g)
    block.train(train)
    X = torch.randn(2, c_in, 5, 4, generator=g, dtype=dtype, requires_grad=True)
    features = [X]
    for unit in block.net:
        features.append(_bn_relu_conv(unit, torch.cat(features, 1), train, 1))
    want = torch.cat(features, 1)
    got = block(X)
    assert got.shape == (2, c_in + num_convs * c, 5, 4)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got[:, :c_in], X)
    G = torch.randn(want.shape, generator=g, dtype=dtype)
    torch.testing.assert_close(torch.autograd.grad((got * G).sum(), X)[0], torch.autograd.grad((want * G).sum(), X)[0])


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("seed", SEEDS)
def test_transition_block_matches_functional_routines(seed, train):
    g = gen(seed)
    block = ref("dense_block", "transition_block")(4, 3).double()
    _randomise(block, g)
    block.train(train)
    X = torch.randn(2, 4, 5 + seed, 6, generator=g, dtype=torch.float64)
    want = F.avg_pool2d(_bn_relu_conv(block, X, train, 0), kernel_size=2, stride=2)
    torch.testing.assert_close(block(X), want)
