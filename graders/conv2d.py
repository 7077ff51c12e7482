"""Grader for conv2d (D2L 7.2-7.4): cross-correlation over channels, with padding, stride and bias.

Every case passes the five arguments positionally, conv2d(X, weight, bias, stride, padding), so
gradient paths point into `args`: (0,) is X, (1,) is weight, (2,) is bias. Each property keeps the
other features simple (no bias outside the bias and batch/float64 cases, stride 1 in the padding
cases, ...), so that the smallest failing case of a property is a clean counterexample.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.inputs import LAYER_ARGUMENTS, layer_case, pair, randn, small_ints

NAMES = LAYER_ARGUMENTS

#: float32 results are sums of up to ~150 products; a correct loop or im2col in another summation
#: order differs from the reference by a few 1e-6 on values of size ~10. A wrong formula is off by O(1).
TOLERANCE = {torch.float32: (1e-4, 1e-4)}

HINTS = {
    "values": "D2L 7.2's corr2d: output (i, j) is (X[i:i+kh, j:j+kw] * K).sum(). This is cross-correlation: "
              "the kernel is not flipped, and X is read from the top left of each window.",
    "channels": "D2L 7.4: every output channel o sums over ALL input channels c of the cross-correlation of "
                "X[:, c] with weight[o, c]. weight is (C_out, C_in, kh, kw): the first index picks the output "
                "channel.",
    "padding": "D2L 7.3: pad ph rows of zeros at the top AND at the bottom, and pw columns on the left AND on "
               "the right. torch.nn.functional.pad takes the last dimension first: F.pad(X, (pw, pw, ph, ph)).",
    "stride": "D2L 7.3: the window of output (i, j) starts at row i*sh and column j*sw, with (sh, sw) the "
              "stride for rows and for columns; the output is (H + 2*ph - kh) // sh + 1 by "
              "(W + 2*pw - kw) // sw + 1.",
    "bias": "Add bias[o] to every element of output channel o: Y + bias.reshape(1, -1, 1, 1). "
            "bias=None means no bias.",
    "rectangular kernels": "kh and kw differ: take kh = weight.shape[2] rows and kw = weight.shape[3] columns, "
                           "and do not mix them up in the output size or the window.",
    "batch": "X holds N examples: treat each one the same way and keep the batch dimension first, "
             "(N, C_out, OH, OW).",
    "float64": "Keep the input's dtype: build new tensors with dtype=X.dtype (or *_like), not torch.zeros(...) "
               "with its float32 default.",
}


def _out_shape(X, weight, stride, padding):
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    N, _, H, W = X.shape
    C_out, _, kh, kw = weight.shape
    return (N, C_out, (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1)


def _case(prop, gen, X, weight, bias=None, stride=1, padding=0):
    return layer_case("conv2d", prop, gen, X, weight, bias, stride, padding,
                      out_shape=_out_shape(X, weight, stride, padding), tolerance=TOLERANCE, hint=HINTS[prop])


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # values: the book's example (D2L 7.2: [[19, 25], [37, 43]]) first, then one channel, no padding.
    X = torch.arange(9.0).reshape(1, 1, 3, 3)
    K = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    cases.append(_case("values", gen, X, K))
    cases.append(_case("values", gen, small_ints(gen, 1, 1, 4, 5), small_ints(gen, 1, 1, 3, 3)))
    cases.append(_case("values", gen, randn(gen, 1, 1, 7, 6), randn(gen, 1, 1, 3, 2)))

    # channels: the book's two-channel example (D2L 7.4: [[56, 72], [104, 120]]), then C_in and C_out.
    X = torch.stack([torch.arange(9.0), torch.arange(1.0, 10.0)]).reshape(1, 2, 3, 3)
    K = torch.stack([torch.arange(4.0), torch.arange(1.0, 5.0)]).reshape(1, 2, 2, 2)
    cases.append(_case("channels", gen, X, K))
    cases.append(_case("channels", gen, small_ints(gen, 1, 3, 4, 4), small_ints(gen, 2, 3, 2, 2)))
    cases.append(_case("channels", gen, small_ints(gen, 1, 1, 4, 4), small_ints(gen, 3, 1, 2, 2)))
    cases.append(_case("channels", gen, randn(gen, 1, 4, 6, 5), randn(gen, 5, 4, 3, 3)))

    # padding: int, then pairs with ph != pw in both directions, then the book's (5, 3) kernel.
    cases.append(_case("padding", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 2, 2), padding=1))
    cases.append(_case("padding", gen, small_ints(gen, 1, 1, 3, 4), small_ints(gen, 1, 1, 2, 2), padding=(1, 0)))
    cases.append(_case("padding", gen, small_ints(gen, 1, 1, 4, 3), small_ints(gen, 1, 1, 2, 2), padding=(0, 2)))
    cases.append(_case("padding", gen, randn(gen, 1, 2, 8, 8), randn(gen, 2, 2, 5, 3), padding=(2, 1)))
    cases.append(_case("padding", gen, randn(gen, 1, 2, 5, 6), randn(gen, 3, 2, 3, 3), padding=2))

    # stride: int, then sh != sw both ways, strides that do not divide evenly, the book's example.
    cases.append(_case("stride", gen, small_ints(gen, 1, 1, 4, 4), small_ints(gen, 1, 1, 2, 2), stride=2))
    cases.append(_case("stride", gen, small_ints(gen, 1, 1, 4, 5), small_ints(gen, 1, 1, 2, 2), stride=(1, 2)))
    cases.append(_case("stride", gen, small_ints(gen, 1, 1, 5, 4), small_ints(gen, 1, 1, 2, 2), stride=(2, 1)))
    cases.append(_case("stride", gen, small_ints(gen, 1, 1, 7, 6), small_ints(gen, 1, 1, 2, 2), stride=3))
    cases.append(_case("stride", gen, randn(gen, 1, 2, 8, 8), randn(gen, 2, 2, 3, 5), stride=(3, 4),
                       padding=(0, 1)))
    cases.append(_case("stride", gen, randn(gen, 1, 3, 9, 7), randn(gen, 2, 3, 3, 2), stride=(2, 3),
                       padding=1))

    # bias: one output channel, then several; bias=None is every other case.
    cases.append(_case("bias", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 2, 2), bias=small_ints(gen, 1)))
    cases.append(_case("bias", gen, small_ints(gen, 1, 2, 4, 4), small_ints(gen, 3, 2, 2, 2), bias=small_ints(gen, 3)))
    cases.append(_case("bias", gen, randn(gen, 1, 2, 5, 5), randn(gen, 4, 2, 3, 3), bias=randn(gen, 4),
                       stride=2, padding=1))

    # rectangular kernels: kh != kw both ways, and a kernel as wide as the input.
    cases.append(_case("rectangular kernels", gen, small_ints(gen, 1, 1, 3, 4), small_ints(gen, 1, 1, 1, 3)))
    cases.append(_case("rectangular kernels", gen, small_ints(gen, 1, 1, 4, 3), small_ints(gen, 1, 1, 3, 1)))
    cases.append(_case("rectangular kernels", gen, randn(gen, 1, 2, 5, 7), randn(gen, 2, 2, 2, 4)))
    cases.append(_case("rectangular kernels", gen, randn(gen, 1, 1, 6, 4), randn(gen, 2, 1, 3, 4),
                       padding=(1, 0)))

    # batch: N > 1, alone and with everything else.
    cases.append(_case("batch", gen, small_ints(gen, 2, 1, 3, 3), small_ints(gen, 1, 1, 2, 2)))
    cases.append(_case("batch", gen, randn(gen, 3, 2, 6, 5), randn(gen, 3, 2, 3, 2), bias=randn(gen, 3),
                       stride=(2, 1), padding=(1, 2)))

    # float64: in and out, with padding, stride and bias.
    f64 = torch.float64
    cases.append(_case("float64", gen, randn(gen, 1, 1, 4, 4, dtype=f64), randn(gen, 1, 1, 2, 2, dtype=f64)))
    cases.append(_case("float64", gen, randn(gen, 2, 3, 7, 6, dtype=f64), randn(gen, 2, 3, 3, 3, dtype=f64),
                       bias=randn(gen, 2, dtype=f64), stride=(2, 1), padding=(1, 2)))
    # The defaults, bias=None, stride=1 and padding=0, when the call leaves them out (drawn last, so
    # that the cases above stay those of earlier versions for a given seed).
    for prop, X, K, bias in (("values", small_ints(gen, 1, 1, 4, 5), small_ints(gen, 1, 1, 2, 3), None),
                             ("bias", randn(gen, 2, 2, 5, 4), randn(gen, 3, 2, 2, 2), randn(gen, 3))):
        args = (X, K) if bias is None else (X, K, bias)
        cases.append(Case(property=prop, args=args, names=NAMES,
                          label="conv2d(X, weight" + (", bias)" if bias is not None else ")"),
                          grad=tuple((i,) for i in range(len(args))),
                          grad_outputs=[torch.randn(_out_shape(X, K, 1, 0), generator=gen)],
                          tolerance=TOLERANCE, hint=HINTS[prop]))
    return cases
