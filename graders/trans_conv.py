"""Grader for trans_conv (D2L 14.10): transposed convolution over channels, with stride, padding and bias.

Every case but the last two passes the five arguments positionally, trans_conv(X, weight, bias,
stride, padding), so gradient paths point into `args`: (0,) is X, (1,) is weight, (2,) is bias. Each
property keeps the other features simple (stride 1 and no padding in the channel cases, no bias outside
the bias, batch and float64 cases, ...), so that the smallest failing case of a property is a clean
counterexample. The last two cases leave the defaults out.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.inputs import LAYER_ARGUMENTS, layer_case, pair, randn, small_ints

NAMES = LAYER_ARGUMENTS

#: float32 results are sums of up to ~40 products; another summation order differs by a few 1e-6.
TOLERANCE = {torch.float32: (1e-4, 1e-4)}

HINTS = {
    "values": "D2L 14.10's trans_conv: for every input element (i, j), Y[i:i+kh, j:j+kw] += X[i, j] * K. "
              "The kernel is not flipped, and overlapping windows add up (+=) rather than overwrite.",
    "channels": "weight is (C_in, C_out, kh, kw), input channels FIRST (the opposite of conv2d): output "
                "channel o sums, over every input channel c, X[:, c] broadcast over weight[c, o].",
    "stride": "With stride (sh, sw) the window of input element (i, j) starts at output row i*sh and column "
              "j*sw; the full output is (H - 1)*sh + kh by (W - 1)*sw + kw, with gaps of zeros where the "
              "stride is larger than the kernel.",
    "padding": "A transposed convolution's padding REMOVES rows and columns: compute the full result, then "
               "drop ph rows at the top and at the bottom and pw columns at the left and at the right, "
               "Y[:, :, ph:H_full - ph, pw:W_full - pw]. Do not pad X with zeros.",
    "bias": "Add bias[o] to every element of output channel o, after the padding is removed: "
            "Y + bias.reshape(1, -1, 1, 1). bias=None means no bias.",
    "rectangular kernels": "kh and kw differ: kh = weight.shape[2] rows and kw = weight.shape[3] columns; do "
                           "not mix them up in the output size or the window.",
    "batch": "X holds N examples: treat each one the same way and keep the batch dimension first, "
             "(N, C_out, OH, OW).",
    "float64": "Keep the input's dtype: build the output with X.new_zeros(...) or dtype=X.dtype, not "
               "torch.zeros(...) with its float32 default.",
}


def _out_shape(X, weight, stride, padding):
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    N, _, H, W = X.shape
    _, C_out, kh, kw = weight.shape
    return (N, C_out, (H - 1) * sh + kh - 2 * ph, (W - 1) * sw + kw - 2 * pw)


def _case(prop, gen, X, weight, bias=None, stride=1, padding=0):
    return layer_case("trans_conv", prop, gen, X, weight, bias, stride, padding,
                      out_shape=_out_shape(X, weight, stride, padding), tolerance=TOLERANCE, hint=HINTS[prop])


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # values: the book's example (D2L 14.10: [[0, 0, 1], [0, 4, 6], [4, 12, 9]]), then one channel.
    X = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    K = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    cases.append(_case("values", gen, X, K))
    cases.append(_case("values", gen, small_ints(gen, 1, 1, 3, 4), small_ints(gen, 1, 1, 3, 3)))
    cases.append(_case("values", gen, randn(gen, 1, 1, 4, 3), randn(gen, 1, 1, 2, 2)))

    # channels: C_in = C_out (a weight read as (C_out, C_in) gives wrong values, not an error), then
    # C_in != C_out both ways.
    cases.append(_case("channels", gen, small_ints(gen, 1, 2, 2, 2), small_ints(gen, 2, 2, 2, 2)))
    cases.append(_case("channels", gen, small_ints(gen, 1, 3, 2, 3), small_ints(gen, 3, 2, 2, 2)))
    cases.append(_case("channels", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 3, 2, 2)))
    cases.append(_case("channels", gen, randn(gen, 1, 4, 3, 4), randn(gen, 4, 5, 3, 3)))

    # stride: the book's stride=2 example, then sh != sw both ways, and a stride larger than the kernel.
    cases.append(_case("stride", gen, X, K, stride=2))
    cases.append(_case("stride", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 2, 2), stride=(1, 2)))
    cases.append(_case("stride", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 2, 2), stride=(2, 1)))
    cases.append(_case("stride", gen, small_ints(gen, 1, 1, 3, 2), small_ints(gen, 1, 1, 2, 2), stride=3))
    cases.append(_case("stride", gen, randn(gen, 1, 2, 4, 3), randn(gen, 2, 3, 3, 3), stride=(2, 3)))

    # padding: the book's padding=1 example ([[4]]), then ph != pw both ways, and padding with a stride.
    cases.append(_case("padding", gen, X, K, padding=1))
    cases.append(_case("padding", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 3, 3), padding=(1, 0)))
    cases.append(_case("padding", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 3, 3), padding=(0, 1)))
    cases.append(_case("padding", gen, randn(gen, 1, 2, 4, 4), randn(gen, 2, 2, 4, 3), padding=(2, 1)))
    cases.append(_case("padding", gen, randn(gen, 1, 2, 3, 4), randn(gen, 2, 3, 3, 3), stride=(2, 3),
                       padding=1))

    # bias: one output channel, then several, with stride and padding.
    cases.append(_case("bias", gen, small_ints(gen, 1, 1, 2, 2), small_ints(gen, 1, 1, 2, 2), bias=small_ints(gen, 1)))
    cases.append(_case("bias", gen, small_ints(gen, 1, 2, 3, 3), small_ints(gen, 2, 3, 2, 2), bias=small_ints(gen, 3)))
    cases.append(_case("bias", gen, randn(gen, 1, 2, 4, 4), randn(gen, 2, 4, 3, 3), bias=randn(gen, 4),
                       stride=2, padding=1))

    # rectangular kernels: kh != kw both ways, with stride and padding on the longer side.
    cases.append(_case("rectangular kernels", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 1, 3)))
    cases.append(_case("rectangular kernels", gen, small_ints(gen, 1, 1, 3, 3), small_ints(gen, 1, 1, 3, 1)))
    cases.append(_case("rectangular kernels", gen, randn(gen, 1, 2, 3, 4), randn(gen, 2, 2, 2, 4),
                       stride=(1, 2), padding=(0, 1)))

    # batch: N > 1, alone and with everything else (the book's 10 -> 20 -> 10 channels round trip shape:
    # kernel 5, padding 2, stride 3).
    cases.append(_case("batch", gen, small_ints(gen, 2, 1, 2, 3), small_ints(gen, 1, 1, 2, 2)))
    cases.append(_case("batch", gen, randn(gen, 3, 4, 3, 3), randn(gen, 4, 2, 5, 5), bias=randn(gen, 2),
                       stride=3, padding=2))

    # float64: in and out, with stride, padding and bias.
    f64 = torch.float64
    cases.append(_case("float64", gen, randn(gen, 1, 1, 3, 3, dtype=f64), randn(gen, 1, 1, 2, 2, dtype=f64)))
    cases.append(_case("float64", gen, randn(gen, 2, 3, 3, 4, dtype=f64), randn(gen, 3, 2, 3, 3, dtype=f64),
                       bias=randn(gen, 2, dtype=f64), stride=(2, 1), padding=(1, 0)))

    # The defaults, bias=None, stride=1 and padding=0, when the call leaves them out.
    for prop, X, K, bias in (("values", small_ints(gen, 1, 1, 3, 4), small_ints(gen, 1, 1, 2, 3), None),
                             ("bias", randn(gen, 2, 2, 3, 3), randn(gen, 2, 3, 2, 2), randn(gen, 3))):
        args = (X, K) if bias is None else (X, K, bias)
        cases.append(Case(property=prop, args=args, names=NAMES,
                          label="trans_conv(X, weight" + (", bias)" if bias is not None else ")"),
                          grad=tuple((i,) for i in range(len(args))),
                          grad_outputs=[torch.randn(_out_shape(X, K, 1, 0), generator=gen)],
                          tolerance=TOLERANCE, hint=HINTS[prop]))
    return cases
