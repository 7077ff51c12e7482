"""Grader for patch_embedding (D2L 11.8): values, row-major patch order, (C, ph, pw) flatten order,
rectangular patches, sizes that are not a multiple of the patch, float64 and gradients."""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case

NAMES = ("X", "weight", "bias", "patch_size")
#: A patch of the book-sized case is a sum of C * ph * pw = 768 products, whose float32 rounding depends on
#: the order of the sum (a few 1e-5); every realistic bug is off by O(1).
TOLERANCE = {torch.float32: (1e-4, 2e-4)}

HINTS = {
    "values": "each output vector is one patch, flattened, times weight.reshape(d, -1).T, plus bias: "
              "the convolution with kernel = stride = patch size, then .flatten(2).transpose(1, 2) (D2L 11.8)",
    "patches in row-major order": "number the patches row by row: patch r * (W // pw) + c; after "
                                  "X.reshape(B, C, H // ph, ph, W // pw, pw) the patch-row axis (2) must come "
                                  "before the patch-column axis (4)",
    "patch flatten order": "flatten each patch channel first, then its rows, then its columns, "
                                           "the order of weight[k].flatten(): permute(0, 2, 4, 1, 3, 5), not "
                                           "(0, 2, 4, 3, 5, 1)",
    "rectangular patches": "patch_size may be a pair (ph, pw): ph splits the height H and pw the width W",
    "sizes not a multiple of the patch": "the strided convolution drops the rows and columns past the last whole "
                                         "patch: crop X to (H // ph) * ph rows and (W // pw) * pw columns first",
    "float64": "keep the inputs' dtype: no .float() and no new float32 tensors",
}


def _randn(gen, *shape, dtype=torch.float32):
    return torch.randn(*shape, generator=gen, dtype=torch.float64).to(dtype)


def _case(prop, gen, B, C, H, W, d, patch_size, dtype=torch.float32):
    ph, pw = (patch_size, patch_size) if isinstance(patch_size, int) else patch_size
    X = _randn(gen, B, C, H, W, dtype=dtype)
    weight = _randn(gen, d, C, ph, pw, dtype=dtype)
    bias = _randn(gen, d, dtype=dtype)
    n = (H // ph) * (W // pw)
    return Case(property=prop, function="patch_embedding", args=(X, weight, bias, patch_size), names=NAMES,
                label=f"patch_embedding(X, weight, bias, patch_size={patch_size!r})", grad=((0,), (1,), (2,)),
                grad_outputs=[_randn(gen, B, n, d, dtype=dtype)], hint=HINTS[prop], tolerance=TOLERANCE)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        _case("values", gen, 1, 1, 4, 4, 3, 2),
        _case("values", gen, 2, 3, 6, 6, 5, 3),
        # a 2 x 3 grid of patches: a column-major order gives other patches at the same positions
        _case("patches in row-major order", gen, 1, 1, 4, 6, 2, 2),
        _case("patches in row-major order", gen, 2, 2, 6, 4, 3, 2),
        # several channels: (ph, pw, C) or (C, pw, ph) flattening pairs pixels with the wrong weights
        _case("patch flatten order", gen, 1, 3, 4, 4, 4, 2),
        _case("patch flatten order", gen, 2, 2, 6, 6, 3, 3),
        _case("rectangular patches", gen, 1, 2, 4, 9, 3, (2, 3)),
        _case("rectangular patches", gen, 2, 1, 9, 4, 2, (3, 2)),
        _case("sizes not a multiple of the patch", gen, 1, 2, 7, 9, 3, 3),
        _case("sizes not a multiple of the patch", gen, 2, 3, 5, 8, 4, (2, 3)),
        _case("float64", gen, 2, 3, 8, 8, 6, 4, dtype=torch.float64),
        # the book's sizes, scaled down: 3-channel 32 x 32 images, 16 x 16 patches, 64 hidden units
        _case("values", gen, 2, 3, 32, 32, 64, 16),
    ]
