"""Golden error maps for typical tensor bugs: each map must show the bug's shape at a glance."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from d2lcoach.errormap import error_map, should_map

F64 = torch.float64


def ints(*shape, mod=7):
    """Small integer-valued float64 tensors: exact results, so the maps are the same everywhere."""
    n = 1
    for size in shape:
        n *= size
    return (torch.arange(n, dtype=F64).reshape(shape) * 5 % mod) - 3


def batch_norm(x, unbiased):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), keepdim=True, unbiased=unbiased)
    return (x - mean) / torch.sqrt(var + 1e-5)


def test_conv2d_whose_last_row_is_wrong():
    X, W = ints(1, 2, 6, 6), ints(2, 2, 3, 3, mod=5)
    expected = F.conv2d(X, W)
    actual = expected.clone()
    actual[:, :, -1, :] = 0  # the loop over output rows stopped one short
    assert error_map(expected, actual) == """\
Largest error of each (n, c) slice (rows n, columns c; 1 x 2):
   0 1
0 |@@@@|
Error map of slice [0, 0] (4 x 4), the one holding the worst element [0, 0, 3, 3]:
   0 1 2 3
0 |        |
1 |        |
2 |        |
3 |%%  %%@@|
scale: ' ' within tolerance, '.' to '@' up to 27
Pattern: only the last row is wrong (a loop that stops one row short?)."""


def test_conv2d_with_padding_on_one_side_is_a_shifted_map():
    X, W = ints(1, 1, 5, 5), ints(1, 1, 3, 3, mod=5)
    expected = F.conv2d(X, W, padding=1)
    actual = F.conv2d(F.pad(X, (0, 2, 0, 2)), W)  # all the padding after the image
    assert error_map(expected, actual) == """\
Error map of slice [0, 0] (5 x 5), the one holding the worst element [0, 0, 2, 4]:
   0 1 2 3 4
0 |::%%::::++|
1 |::**++%%::|
2 |++**++  @@|
3 |::  ::++::|
4 |  ::  ****|
scale: ' ' within tolerance, '.' to '@' up to 18
Pattern: the result is the expected one moved up by 1 row and left by 1 column (padding on one side only, \
or an index off by one?)."""


def test_conv2d_missing_its_last_row():
    X, W = ints(1, 1, 4, 4), ints(1, 1, 2, 2, mod=5)
    expected = F.conv2d(X, W, stride=2)
    actual = expected[:, :, :1, :]  # an output size off by one
    assert error_map(expected, actual) == """\
Error map of slice [0, 0]: every (n, c) slice is 1 x 2, expected 2 x 2; the values present are right:
   0 1
0 |    |
1 |xxxx|
scale: ' ' within tolerance, 'x' only in one of expected and actual
Pattern: the last row is missing (an output size off by one?)."""


def test_transposed_square_result():
    expected = ints(4, 3) @ ints(3, 4, mod=5)
    assert error_map(expected, expected.T) == """\
Error map of the result (4 x 4), |actual - expected|, worst at [1, 2]:
   0 1 2 3
0 |  ##--++|
1 |##  @@--|
2 |--@@  ##|
3 |++--##  |
scale: ' ' within tolerance, '.' to '@' up to 12
Pattern: the result is the transpose of the expected one (rows and columns swapped)."""


def test_batch_norm_with_one_wrong_channel():
    x = ints(2, 3, 4, 4, mod=11)
    expected = batch_norm(x, unbiased=False)
    actual = expected.clone()
    actual[:, 1] = batch_norm(x, unbiased=True)[:, 1]
    assert error_map(expected, actual) == """\
Largest error of each (n, c) slice (rows n, columns c; 2 x 3):
   0 1 2
0 |  @@  |
1 |  @@  |
Error map of slice [0, 1] (4 x 4), the one holding the worst element [0, 1, 2, 0]:
   0 1 2 3
0 |==**++==|
1 |##--@@..|
2 |@@::%%==|
3 |**++==##|
scale: ' ' within tolerance, '.' to '@' up to 0.0257
Pattern: only channel 1 is wrong, in every sample."""


def test_all_correct_gives_no_map():
    x = ints(2, 3, 4, 4)
    assert error_map(x, x.clone()) == ""
    noisy = x.to(torch.float32) * (1 + 1e-7)  # within the tolerance it is given
    assert error_map(x.to(torch.float32), noisy, rtol=1e-5, atol=1e-6) == ""


def test_nan_and_inf_have_their_own_mark():
    expected = ints(4, 5)
    actual = expected.clone()
    actual[2, 3] = float("nan")
    actual[0, 4] += 2
    assert error_map(expected, actual) == """\
Error map of the result (4 x 5), |actual - expected|, worst at [2, 3]:
   0 1 2 3 4
0 |        @@|
1 |          |
2 |      !!  |
3 |          |
scale: ' ' within tolerance, '.' to '@' up to 2, '!' NaN or inf
Pattern: NaN or inf where the expected values are finite (an overflow, or 0 / 0?)."""
    infinite = expected.clone()
    infinite[3, 0] = float("-inf")
    assert "3 |!!        |" in error_map(expected, infinite)
    both_nan = expected.clone()
    both_nan[1, 1] = float("nan")
    assert error_map(both_nan, both_nan.clone()) == ""


def test_large_results_are_downsampled_to_max_cells():
    expected = torch.arange(50 * 50, dtype=F64).reshape(50, 50)
    actual = expected.clone()
    actual[-1] += 1
    assert error_map(expected, actual, max_cells=10) == """\
Error map of the result (50 x 50), |actual - expected|, worst at [49, 0]:
        1 1 2 2 3 3 4 4
    0 5 0 5 0 5 0 5 0 5
 0 |                    |
 5 |                    |
10 |                    |
15 |                    |
20 |                    |
25 |                    |
30 |                    |
35 |                    |
40 |                    |
45 |@@@@@@@@@@@@@@@@@@@@|
(downsampled: each cell is the largest error of a 5 x 5 block)
scale: ' ' within tolerance, '.' to '@' up to 1
Pattern: only the last row is wrong."""
    assert all(len(line) < 80 for line in error_map(expected, actual).splitlines())
    assert error_map(expected, actual).isascii()


def test_which_results_get_a_map():
    assert should_map(torch.zeros(2, 2)) and should_map(torch.zeros(1, 3, 4)) and should_map(torch.zeros(1, 1, 2, 2))
    assert not should_map(torch.zeros(5)) and not should_map(torch.zeros(1, 5)) and not should_map(torch.zeros(()))
    assert not should_map(torch.zeros(1, 1, 1, 1, 1)) and not should_map(3.0)
    assert error_map(torch.zeros(5), torch.ones(5)) == ""
    assert error_map(torch.zeros(3, 3), torch.ones(2, 2, 2)) == ""  # different ranks: the shape message says it
    meta = torch.zeros(3, 3, device="meta")
    assert error_map(meta, meta) == ""


def test_a_pattern_is_named_only_when_its_condition_holds():
    """A global-max softmax's NaN row is not 'a loop that stops one row short' (issue 10)."""
    expected = torch.tensor([[1.0, 0.0, 0.0], [0.6652, 0.2447, 0.0900]], dtype=F64)
    actual = torch.tensor([[1.0, 0.0, 0.0], [float("nan")] * 3], dtype=F64)
    drawn = error_map(expected, actual)
    assert "one row short" not in drawn and "only the last row" not in drawn  # two rows: no row pattern
    assert "Pattern: NaN or inf where the expected values are finite" in drawn
    tall = torch.arange(12, dtype=F64).reshape(4, 3) + 1
    wrong = tall.clone()
    wrong[-1] = float("nan")
    assert "only the last row is wrong." in error_map(tall, wrong)  # wrong, but not left at zero
    assert "one row short" not in error_map(tall, wrong)
    wrong[-1] = 0
    assert "only the last row is wrong (a loop that stops one row short?)" in error_map(tall, wrong)
