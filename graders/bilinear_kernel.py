"""Grader for bilinear_kernel (D2L 14.11): the tent filter for odd and even kernel sizes, on the diagonal
channel pairs only, float32, and what it is for: a transposed convolution holding it upsamples like
F.interpolate(mode='bilinear') (align_corners=False inside the border, align_corners=True for the odd
kernel of stride 2).

The function takes no tensor, so every case runs on the CPU (as positional_encoding's plain calls do)
and its calls are the same on every seed; only the images of the upsampling cases are drawn from `gen`.
Within a property the cases go smallest first, so the first failing one is the smallest counterexample.
"""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F

from d2lcoach.grading.case import Case
from d2lcoach.grading.compare import compare_values, excerpt
from d2lcoach.grading.diagnosis import Diagnosis
from d2lcoach.grading.engine import compare_output
from d2lcoach.sandbox.runtime.wire import SentTensor

NAMES = ("in_channels", "out_channels", "kernel_size")
#: The kernel's values are compared in float64 whatever its dtype; a float32 filter computed in another
#: order (center = (kernel_size - 1) / 2, (factor - d) / factor) differs from the book's by an ulp, 6e-8.
TOLERANCE = {torch.float32: (1e-5, 1e-6), torch.float64: (1e-5, 1e-6)}
#: The upsampled images are computed in float64 from the float32 kernel: its rounding is a few 1e-8.
UPSAMPLING_TOLERANCE = (1e-6, 1e-6)
KERNEL_PROPERTIES = ("odd kernel sizes", "even kernel sizes", "channels")

HINTS = {
    "odd kernel sizes": "for an odd kernel_size the centre is the middle pixel, center = factor - 1 with factor = "
                        "(kernel_size + 1) // 2: kernel_size 3 gives the outer product of [0.5, 1, 0.5]",
    "even kernel sizes": "factor = (kernel_size + 1) // 2; for an even kernel_size the centre lies between the two "
                         "middle pixels, center = factor - 0.5, and filt[a, b] = (1 - |a - center| / factor) * "
                         "(1 - |b - center| / factor), the rows and the columns alike: kernel_size 4 gives the "
                         "outer product of [0.25, 0.75, 0.75, 0.25] (D2L 14.11)",
    "channels": "only weight[c, c] holds the filter, for each channel c; weight[c, o] stays zero for c != o, so "
                "that each channel is upsampled on its own: weight[range(in_channels), range(out_channels), :, "
                ":] = filt",
    "bilinear upsampling": "the weight must make F.conv_transpose2d(X, weight, stride, padding) a bilinear "
                           "upsampling of each channel: the filter values of the kernel-size checks, on the "
                           "diagonal channel pairs",
}


def _tent(kernel_size: int, factor: float, center: float) -> torch.Tensor:
    og = torch.arange(kernel_size, dtype=torch.float64)
    f = 1 - (og - center).abs() / factor
    return f[:, None] * f[None, :]


def _diagonal(case, filt) -> torch.Tensor:
    c, o, k = case.args
    weight = torch.zeros(c, o, k, k, dtype=torch.float64)
    weight[range(c), range(o)] = filt
    return weight


def _book_factor(k):
    return (k + 1) // 2


def _odd_center_half(expected, actual, case):
    """An odd kernel whose centre is factor - 0.5, as for an even one (no branch on the parity)."""
    k = case.args[2]
    return k % 2 == 1 and _close(actual, _diagonal(case, _tent(k, _book_factor(k), _book_factor(k) - 0.5)))


def _factor_half_kernel(expected, actual, case):
    """factor = kernel_size // 2 (or kernel_size / 2): the odd kernels' tent is one pixel too narrow."""
    k = case.args[2]
    if k == 1:  # factor 0: 0 / 0 at the one pixel
        return isinstance(actual, torch.Tensor) and bool(actual.double().isnan().any())
    return k % 2 == 1 and any(_close(actual, _diagonal(case, _tent(k, factor, center)))
                              for factor in (k // 2, k / 2) for center in (k // 2 - 1, (k - 1) / 2, k // 2 - 0.5)
                              if factor)


def _every_channel_pair(expected, actual, case):
    """The filter written into every (c, o) pair, weight[:, :] = filt: channels mixed together."""
    c, o, k = case.args
    return c > 1 and _close(actual, expected.double()[0, 0].expand(c, o, k, k))


def _normalised(expected, actual, case):
    """The filter divided by its sum (a weighted average), not the book's tent."""
    e = expected.double()
    return _close(actual, e / e[0, 0].sum())


def _close(actual, target) -> bool:
    return (isinstance(actual, torch.Tensor) and tuple(actual.shape) == tuple(target.shape)
            and bool(torch.allclose(actual.double(), target, rtol=1e-5, atol=1e-6)))


DIAGNOSES = (
    Diagnosis(hint="yours centres an odd kernel between two pixels (center = factor - 0.5, the even case): for an "
                   "odd kernel_size the centre is the middle pixel, center = factor - 1 (the book's if "
                   "kernel_size % 2 == 1 branch)", when=_odd_center_half),
    Diagnosis(hint="yours takes factor = kernel_size // 2 (0 for kernel_size 1, hence 0 / 0): the book's factor is "
                   "(kernel_size + 1) // 2, the same for an even kernel_size but one more for an odd one "
                   "(kernel_size 1: factor 1, filter [[1.]]; kernel_size 3: factor 2, center 1, filter [0.5, 1, "
                   "0.5])", when=_factor_half_kernel),
    Diagnosis(hint="yours writes the filter into every (in, out) channel pair, so each output channel sums all the "
                   "input channels: only weight[c, c] holds it, weight[range(in_channels), range(out_channels), "
                   ":, :] = filt, and the other pairs stay zero", when=_every_channel_pair),
    Diagnosis(hint="yours divides the filter by its sum: the book's tent is not normalised (its values are "
                   "(1 - |a - center| / factor) * (1 - |b - center| / factor), 1 at an odd kernel's centre); a "
                   "stride-s transposed convolution spreads each input pixel over s * s outputs, which is what "
                   "keeps the image's brightness", when=_normalised),
)


def _compare(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """The kernel's type and shape, its dtype on its own (float32, the book's torch.zeros), then by the case's
    kind: the filter's values (in float64, whatever its dtype), the channel pairs, or an upsampled image."""
    call = case.label
    found = [(check, message) for check, message in compare_output(expected, actual, case, device)
             if check in ("result type", "device")]
    if found or not isinstance(actual, SentTensor):
        return found
    kernel = actual.tensor
    if tuple(kernel.shape) != tuple(expected.shape):
        shape = "(" + ", ".join(str(n) for n in kernel.shape) + ")"
        want = "(" + ", ".join(str(n) for n in expected.shape) + ")"
        return [("shape", f"{call}: the kernel has shape {shape}, expected {want}: (in_channels, out_channels, "
                 "kernel_size, kernel_size), nn.ConvTranspose2d's weight layout"),
                (case.property, f"{call}: a kernel of shape {shape} cannot hold the expected {want} values")]
    if kernel.dtype != expected.dtype:
        found.append(("dtype", f"{call}: the kernel is {str(kernel.dtype).replace('torch.', '')}, expected float32: "
                      "the book's torch.zeros((in_channels, out_channels, kernel_size, kernel_size)) makes torch's "
                      "default float32 (np.zeros, the MXNet tab's, and dtype=torch.float64 make float64; an "
                      "integer tensor cannot hold the filter's fractions)"))
    kernel = kernel.double()
    if case.property == "bilinear upsampling":
        return found + _upsampling(kernel, case)
    if case.property == "channels":
        # Each channel on its own: weight[c, c] the same filter for every c, zeros between channels...
        own = torch.zeros_like(kernel)
        own[range(kernel.shape[0]), range(kernel.shape[1])] = kernel[0, 0]
        mismatch = compare_values(own, kernel, 0.0, 1e-7)
        if mismatch is not None:
            c, o = mismatch.index[:2]
            what = (f"weight[{c}, {o}] should be zeros (input channel {c} must not feed output channel {o})"
                    if c != o else f"weight[{c}, {c}] should hold the same filter as weight[0, 0]")
            found.append(("channels", f"{call}: {what}; at index {list(mismatch.index)} it is "
                          f"{mismatch.actual:.6g}, expected {mismatch.expected:.6g} ({mismatch.count} of "
                          f"{mismatch.total} values differ).\nHint: {case.hint}"))
        # ... and that filter the one of its kernel size, judged as that size's property.
        size_case = dataclasses.replace(case, property=_size_property(case.args[2]),
                                        hint=HINTS[_size_property(case.args[2])])
        found += compare_output(expected[0, 0].double(), SentTensor(kernel[0, 0], actual.device), size_case,
                                device, "weight[0, 0], the filter")
        return found
    return found + compare_output(expected.double(), SentTensor(kernel, actual.device), case, device, "the kernel")


def _size_property(kernel_size: int) -> str:
    return "odd kernel sizes" if kernel_size % 2 else "even kernel sizes"


def _upsampling(kernel: torch.Tensor, case: Case) -> list[tuple[str, str]]:
    """conv_transpose2d of the case's image with the learner's kernel against F.interpolate, where they agree."""
    data = case.grader_data["upsample"]
    image, stride, padding, border = data["image"], data["stride"], data["padding"], data["border"]
    H, W = image.shape[-2:]
    got = F.conv_transpose2d(image, kernel, stride=stride, padding=padding)
    if data["align_corners"]:
        want = F.interpolate(image, size=((H - 1) * stride + 1, (W - 1) * stride + 1), mode="bilinear",
                             align_corners=True)
        routine = (f"F.interpolate(X, size=({(H - 1) * stride + 1}, {(W - 1) * stride + 1}), mode='bilinear', "
                   "align_corners=True), the whole image")
    else:
        want = F.interpolate(image, scale_factor=stride, mode="bilinear", align_corners=False)
        routine = (f"F.interpolate(X, scale_factor={stride}, mode='bilinear', align_corners=False) inside its "
                   f"{border}-pixel border")
    if not bool(torch.isfinite(kernel).all()):
        return [(case.property, f"{case.label}: the kernel holds NaN or infinity, so F.conv_transpose2d(X, weight, "
                 f"stride={stride}, padding={padding}) cannot upsample X")]
    if tuple(got.shape) != tuple(want.shape):
        return [(case.property, f"{case.label}: F.conv_transpose2d(X, weight, stride={stride}, padding={padding}) "
                 f"has shape {tuple(got.shape)}, expected {tuple(want.shape)}")]
    if border:
        got, want = got[..., border:-border, border:-border], want[..., border:-border, border:-border]
    rtol, atol = UPSAMPLING_TOLERANCE
    mismatch = compare_values(want, got, rtol, atol)
    if mismatch is None:
        return []
    exp_x, act_x = excerpt(want, got, mismatch.index)
    where = ", ".join(str(i) for i in mismatch.index)
    return [(case.property, "\n".join([
        f"{case.label}: with X of shape {tuple(image.shape)} (random pixels), F.conv_transpose2d(X, weight, "
        f"stride={stride}, padding={padding}) is not {routine}: {mismatch.describe()} (at index {where} of the "
        "compared region).",
        f"Expected (around the worst pixel): {exp_x}",
        f"Got:                               {act_x}",
        "Hint: " + case.hint]))]


def _case(prop, in_channels, kernel_size, upsample=None) -> Case:
    args = (in_channels, in_channels, kernel_size)
    label = f"bilinear_kernel({in_channels}, {in_channels}, {kernel_size})"
    return Case(property=prop, function="bilinear_kernel", args=args, names=NAMES, label=label,
                devices=("cpu",), meta=False, compare=_compare, checks=("shape", "dtype"), hint=HINTS[prop],
                tolerance=TOLERANCE,
                grader_data={"upsample": upsample} if upsample else {},
                requires=KERNEL_PROPERTIES if prop == "bilinear upsampling" else ())


def _upsample_case(gen, channels, kernel_size, stride, padding, border, align_corners, H, W) -> Case:
    image = torch.rand(1, channels, H, W, generator=gen, dtype=torch.float64)
    return _case("bilinear upsampling", channels, kernel_size,
                 {"image": image, "stride": stride, "padding": padding, "border": border,
                  "align_corners": align_corners})


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = [
        # even sizes: 2 (0.25 everywhere), the book's 4 (the outer product of [0.25, 0.75, 0.75, 0.25]), ...,
        # up to the FCN's 64 (D2L 14.11 builds bilinear_kernel(num_classes, num_classes, 64)).
        _case("even kernel sizes", 1, 2), _case("even kernel sizes", 1, 4), _case("even kernel sizes", 1, 6),
        _case("even kernel sizes", 1, 8), _case("even kernel sizes", 1, 64),
        # odd sizes, from the one-pixel kernel [[1.]] up.
        _case("odd kernel sizes", 1, 1), _case("odd kernel sizes", 1, 3), _case("odd kernel sizes", 1, 5),
        _case("odd kernel sizes", 1, 7),
        # channels: two, the book's (3, 3, 4), an odd size, and the FCN's 21 classes.
        _case("channels", 2, 4), _case("channels", 3, 4), _case("channels", 4, 3), _case("channels", 21, 4),
    ]
    # What it is for: the book's stride-2 experiment (kernel 4, padding 1: the image doubled), a stride of 4,
    # an odd kernel with an odd stride (5, 3), all against align_corners=False inside the border; the odd
    # kernel 3 with stride 2 against align_corners=True, the whole image.
    cases += [
        _upsample_case(gen, 3, 4, 2, 1, 1, False, 4, 5),
        _upsample_case(gen, 2, 8, 4, 2, 2, False, 3, 4),
        _upsample_case(gen, 2, 5, 3, 1, 1, False, 4, 3),
        _upsample_case(gen, 3, 3, 2, 1, 0, True, 4, 5),
    ]
    return cases
