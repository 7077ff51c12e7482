"""Grader for class_activation_map (Zhou et al. 2016, beside D2L 8.4): the map of each image's own class,
an int class for every image, bilinear upsampling with align_corners=False to any size, min-max
normalisation after the upsampling and per image, a constant map as zeros, no eps, and float64.

features, weight, class_idx and size are passed positionally (a learner may call them X, W, k, out_size).
class_idx is an int64 tensor (N,) except in the int-class cases, where it is a Python int. Gradients are
not graded: the map is a read-out, and min and max have no unique gradient where positions tie (a
border pixel that align_corners=False repeats). Every case draws its own inputs from gen; the inputs
of the constant-map cases are small dyadic numbers, so every correct order of the sums gives a map that
is exactly constant before and after the upsampling.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import BROADCAST_ERROR, Diagnosis, close

NAMES = ("features", "weight", "class_idx")

VALUES = "values"
PER_CLASS = "one class per image"
INT_CLASS = "an int class for every image"
BILINEAR = "bilinear upsampling (align_corners=False)"
SIZE = "any output size"
AFTER = "normalised after upsampling"
PER_IMAGE = "normalised per image"
CONSTANT = "a constant map gives zeros"
SCALE = "maps of any scale (no eps)"
FLOAT64 = "float64"

HINTS = {
    VALUES: "Zhou et al. 2016, equation 2: M[n] = sum_c weight[k_n, c] * features[n, c] (torch.einsum("
            "'nc,nchw->nhw', weight[class_idx], features)), then F.interpolate(M.unsqueeze(1), size=size, "
            "mode='bilinear', align_corners=False), then (U - min) / (max - min) per image.",
    PER_CLASS: "class_idx[n] is the class of image n: weight[class_idx] is (N, C), row n for image n; "
               "einsum('nc,nchw->nhw', weight[class_idx], features) pairs each image with its own row.",
    INT_CLASS: "class_idx may be a Python int: the same class for every image. weight[class_idx] is then (C,), "
               "one row: expand it to (N, C), or use einsum('c,nchw->nhw', ...).",
    BILINEAR: "Upsample with F.interpolate(M.unsqueeze(1), size=size, mode='bilinear', align_corners=False): "
              "bilinear, with the half-pixel grid of align_corners=False (cv2.resize's), not nearest, not "
              "bicubic, not align_corners=True (F.upsample_bilinear's).",
    SIZE: "size = (H, W) is any pair, not only multiples of (h, w), and H is the height: pass size=size to "
          "F.interpolate (not a scale_factor, and not (W, H)).",
    AFTER: "Normalise after upsampling: the result spans exactly [0, 1] at the image's size. Bilinear upsampling "
           "blends an interior maximum with its neighbours, so a map normalised first and upsampled after no "
           "longer reaches 1.",
    PER_IMAGE: "Each image gets its own min and max, over its H x W positions: up.flatten(1).aminmax(dim=1, "
               "keepdim=True) or amin/amax over dim=(1, 2) with keepdim=True, not one min and max for the batch.",
    CONSTANT: "Where an image's map is constant, max - min is 0 and (U - min) / (max - min) is 0 / 0 = nan: the "
              "contract gives that image all zeros. Divide by torch.where(spread > 0, spread, 1) (or set nan to 0).",
    SCALE: "No eps in the division: (U - min) / (max - min + 1e-7) shrinks a map whose range is small. Handle the "
           "constant map with torch.where instead.",
    FLOAT64: "float64 features are checked at float64 precision: no .float() on the way, no tensor made in the "
             "float32 default.",
}


# --------------------------------------------------------------------------- what a learner might compute

def _classes(case):
    """The (N,) classes of a case's images, whatever form class_idx takes."""
    features, class_idx = case.args[0], case.args[2]
    if isinstance(class_idx, int):
        return torch.full((features.shape[0],), class_idx, dtype=torch.long)
    return class_idx.cpu().long()


def _maps(case, classes=None, transposed=False, relu=False):
    """The low-resolution maps (N, h, w) in float64 (weight.T where a learner took weight to be (C, K))."""
    features, weight = case.args[0].double().cpu(), case.args[1].double().cpu()
    rows = (weight.T if transposed else weight)[_classes(case) if classes is None else classes]
    cam = torch.einsum("nc,nchw->nhw", rows, features)
    return cam.clamp(min=0) if relu else cam


def _upsample(cam, size, mode="bilinear", align_corners=False):
    options = {} if mode in ("nearest", "nearest-exact") else {"align_corners": align_corners}
    return F.interpolate(cam.unsqueeze(1), size=tuple(size), mode=mode, **options).squeeze(1)


def _normalise(up, over="image", eps=0.0, denominator="spread"):
    """Min-max normalisation over each image (or the whole batch, or each row), with the mistakes' variants."""
    if over == "batch":
        lo, hi = up.min(), up.max()
    elif over == "row":
        lo, hi = up.amin(dim=-1, keepdim=True), up.amax(dim=-1, keepdim=True)
    else:
        lo, hi = up.amin(dim=(1, 2), keepdim=True), up.amax(dim=(1, 2), keepdim=True)
    spread = (hi - lo) if denominator == "spread" else hi
    if eps:
        return (up - lo) / (spread + eps)
    return (up - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))


def _variant(case, classes=None, transposed=False, relu=False, mode="bilinear", align_corners=False,
             before=False, over="image", eps=0.0, denominator="spread"):
    cam = _maps(case, classes, transposed, relu)
    size = case.args[3]
    if before:
        return _upsample(_normalise(cam, over, eps, denominator), size, mode, align_corners)
    return _normalise(_upsample(cam, size, mode, align_corners), over, eps, denominator)


def _matches(**variant):
    """A diagnosis condition: the result is the map computed with this mistake."""
    def when(expected, actual, case):
        want = _variant(case, **variant)
        return not close(expected.double(), want) and close(actual.double(), want)
    return when


def _first_class_for_all(expected, actual, case) -> bool:
    classes = _classes(case)
    return _matches(classes=classes[:1].expand(classes.shape[0]).clone())(expected, actual, case)


def _not_finite(expected, actual, case) -> bool:
    return isinstance(actual, torch.Tensor) and not bool(torch.isfinite(actual).all())


def _shrunk(expected, actual, case) -> bool:
    """Each image's map is the right one times a factor below 1: an eps added to max - min."""
    if not isinstance(actual, torch.Tensor) or tuple(actual.shape) != tuple(expected.shape):
        return False
    want, got = expected.double().flatten(1), actual.double().flatten(1)
    if not bool(torch.isfinite(got).all()):
        return False
    if _matches(before=True)(expected, actual, case):
        return False  # normalised before the upsampling: a minimum at a corner makes that a scaling too
    factor = got.amax(dim=1, keepdim=True)
    return bool((factor < 1 - 1e-6).any()) and close(got, want * factor)


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py), most specific first;
#: each limited to the properties whose cases tell that mistake apart, so that property's failure leads.
DIAGNOSES = (
    Diagnosis(when=_not_finite, properties=(CONSTANT,),
              hint="yours has nan where an image's map is constant: max - min is 0 there, and 0 / 0 is nan. The "
                   "contract gives that image all zeros: divide by torch.where(spread > 0, spread, "
                   "torch.ones_like(spread))"),
    Diagnosis(when=_first_class_for_all, properties=(PER_CLASS,),
              hint="yours uses the class of image 0 for every image: class_idx[n] is the class of image n. "
                   "weight[class_idx] is (N, C), one row per image: einsum('nc,nchw->nhw', weight[class_idx], "
                   "features)"),
    Diagnosis(when=_matches(before=True), properties=(AFTER,),
              hint="yours normalises the small map first and upsamples it after (as the paper's code does before "
                   "cv2.resize): the contract upsamples first and then normalises, so that each map spans exactly "
                   "[0, 1] at the image's size"),
    Diagnosis(when=_matches(align_corners=True), properties=(BILINEAR,),
              hint="yours is bilinear with align_corners=True (F.upsample_bilinear's grid, corner pixels aligned): "
                   "the contract's grid is align_corners=False, pixel centres at half-pixel offsets: "
                   "F.interpolate(..., mode='bilinear', align_corners=False)"),
    Diagnosis(when=_matches(mode="nearest"), properties=(BILINEAR, SIZE),
              hint="yours upsamples by nearest neighbour (F.interpolate's default mode): pass mode='bilinear' "
                   "and align_corners=False"),
    Diagnosis(when=_matches(mode="bicubic"), properties=(BILINEAR,),
              hint="yours upsamples bicubically: the contract's upsampling is bilinear, mode='bilinear' with "
                   "align_corners=False"),
    Diagnosis(when=_matches(over="batch"), properties=(PER_IMAGE,),
              hint="yours normalises with one min and one max for the whole batch: each image gets its own, "
                   "over its H x W positions (amin and amax over dim=(1, 2) with keepdim=True)"),
    Diagnosis(when=_matches(over="row"), properties=(PER_IMAGE,),
              hint="yours takes the min and max along the last dimension only, one per row of each image: take "
                   "them over both H and W, dim=(1, 2) (or flatten(1) and dim=1)"),
    Diagnosis(when=_shrunk, properties=(SCALE,),
              hint="yours is each map times a factor below 1: an eps added to max - min ((U - min) / (max - min + "
                   "eps)) shrinks a map whose range is small. Divide by max - min itself, and treat the constant "
                   "map apart with torch.where"),
    Diagnosis(when=_matches(denominator="max"),
              hint="yours divides by the maximum after subtracting the minimum: (U - min) / max reaches 1 only "
                   "where min is 0. Divide by max - min"),
    Diagnosis(when=_matches(relu=True),
              hint="yours clamps the map at 0 (a ReLU, as Grad-CAM does): CAM has none (Zhou et al. 2016, "
                   "equation 2), so negative evidence keeps its place below the positive in [0, 1]"),
    Diagnosis(when=_matches(transposed=True),
              hint="yours takes column k of weight: weight is nn.Linear(C, K).weight, (K, C), one row per class "
                   "(the book's softmax-regression W from scratch is (inputs, outputs), the transpose)"),
    Diagnosis(error=r"out of bounds for dimension 1|index \d+ is out of bounds",
              hint="weight is nn.Linear(C, K).weight, (K, C): the class picks a row, weight[class_idx], not a "
                   "column"),
    Diagnosis(error=r"'int' object has no attribute|einsum\(\)|expected .*Tensor.* but got int|int.*not subscript",
              properties=(INT_CLASS,),
              hint="class_idx may be a Python int, the same class for every image: weight[class_idx] is then one "
                   "row (C,); expand it to (N, C) (or use einsum('c,nchw->nhw', ...))"),
    Diagnosis(error=BROADCAST_ERROR,
              hint="A min or max over dim=(1, 2) lost those dimensions: keepdim=True keeps (N, 1, 1), which "
                   "broadcasts against (N, H, W)"),
)


# --------------------------------------------------------------------------- inputs

def _classes_for(gen, N, K, distinct_first=True):
    """N classes in [0, K), with image 0's class different from image 1's where there are two images."""
    classes = torch.randint(0, K, (N,), generator=gen)
    if distinct_first and N > 1 and classes[1] == classes[0]:
        classes[1] = (classes[0] + 1 + torch.randint(0, K - 1, (1,), generator=gen)) % K
    return classes


def _case(prop, gen, N, C, hw, K, size, dtype=torch.float32, scale=1.0, classes=None, int_class=None,
          features=None, weight=None):
    h, w = hw
    if weight is None:
        weight = torch.randn(K, C, generator=gen, dtype=torch.float64)
    if features is None:
        features = torch.rand(N, C, h, w, generator=gen, dtype=torch.float64) * 2  # after a ReLU: >= 0
    features = (features * scale).to(dtype)
    weight = weight.to(dtype)
    if int_class is not None:
        class_idx, shown = int_class, str(int_class)
    else:
        class_idx = _classes_for(gen, N, K) if classes is None else torch.tensor(classes)
        shown = "class_idx"
    return Case(property=prop, function="class_activation_map", args=(features, weight, class_idx, tuple(size)),
                names=NAMES, label=f"class_activation_map(features, weight, {shown}, {tuple(size)})",
                hint=HINTS[prop])


def _peaked(gen, N, C, hw, K, size, classes, dtype=torch.float32):
    """Maps whose maximum and minimum are interior pixels: upsampling blends them with their neighbours, so a
    map normalised before the upsampling no longer reaches 0 and 1."""
    h, w = hw
    weight = torch.randn(K, C, generator=gen, dtype=torch.float64)
    features = torch.rand(N, C, h, w, generator=gen, dtype=torch.float64) * 0.5
    for n, k in enumerate(classes):
        direction = weight[k] / weight[k].norm()
        i, j = int(torch.randint(1, h - 1, (1,), generator=gen)), int(torch.randint(1, w - 2, (1,), generator=gen))
        features[n, :, i, j] += 3 * direction
        features[n, :, h - 1 - i, j + 1] -= 3 * direction
    return _case(AFTER, gen, N, C, hw, K, size, dtype=dtype, classes=classes, features=features, weight=weight)


def _dyadic(gen, shape, low, high):
    """Small multiples of 1/4: their products and sums are exact in float32, in any order."""
    return torch.randint(low, high + 1, shape, generator=gen).to(torch.float64) / 4


def _constant(gen, N, C, hw, K, size, flat, dtype=torch.float32, classes=None):
    """Images in `flat` have a constant map (each channel constant over the positions); the others do not.
    Inputs are dyadic and the upsampling factors whole, so a correct map is exactly constant there."""
    h, w = hw
    weight = _dyadic(gen, (K, C), -8, 8)
    features = _dyadic(gen, (N, C, h, w), 0, 8)
    for n in flat:
        features[n] = _dyadic(gen, (C, 1, 1), 0, 8).expand(C, h, w)
    return _case(CONSTANT, gen, N, C, hw, K, size, dtype=dtype, classes=classes, features=features, weight=weight)


def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    zero_row = torch.randn(4, 3, generator=gen, dtype=f64)
    zero_row[2] = 0.0  # class 2 scores every position 0: image 0's map is constant (zero)
    return [
        # One class per image (N == C and K == C too, where a wrong axis keeps the shape).
        _case(VALUES, gen, 2, 3, (3, 3), 4, (6, 6)),
        _case(VALUES, gen, 3, 3, (3, 4), 3, (6, 8)),
        _case(VALUES, gen, 4, 5, (4, 4), 7, (8, 12)),
        # Image 0's class differs from the others'; classes repeat; more images than classes.
        _case(PER_CLASS, gen, 2, 3, (3, 3), 3, (6, 6), classes=[2, 0]),
        _case(PER_CLASS, gen, 3, 4, (3, 4), 5, (6, 8), classes=[1, 4, 1]),
        _case(PER_CLASS, gen, 5, 4, (4, 3), 3, (8, 6)),
        # A Python int: that class for every image (N != C, so a wrong expansion cannot fit by chance).
        _case(INT_CLASS, gen, 1, 3, (3, 3), 4, (6, 6), int_class=2),
        _case(INT_CLASS, gen, 2, 5, (3, 4), 3, (6, 8), int_class=0),
        _case(INT_CLASS, gen, 3, 4, (4, 4), 6, (12, 8), int_class=5),
        # Whole factors 2, 3 and 4, where nearest, bicubic and align_corners=True all differ from the contract.
        _case(BILINEAR, gen, 2, 3, (2, 2), 3, (4, 4)),
        _case(BILINEAR, gen, 2, 4, (3, 3), 3, (9, 6)),
        _case(BILINEAR, gen, 3, 3, (3, 4), 5, (12, 16)),
        # Sizes that are no multiple of (h, w), H != W, and the features' own size (no upsampling).
        _case(SIZE, gen, 2, 3, (3, 4), 4, (3, 4)),
        _case(SIZE, gen, 2, 3, (3, 4), 4, (7, 10)),
        _case(SIZE, gen, 3, 4, (2, 3), 3, (9, 5)),
        _case(SIZE, gen, 2, 5, (4, 5), 6, (11, 17)),
        # The maximum and the minimum of every map at interior pixels.
        _peaked(gen, 2, 3, (4, 4), 3, (8, 8), [0, 2]),
        _peaked(gen, 3, 4, (4, 5), 5, (8, 15), [1, 3, 0]),
        _peaked(gen, 2, 4, (5, 4), 4, (13, 9), [3, 1], dtype=f64),
        # Images of very different ranges and offsets.
        _case(PER_IMAGE, gen, 2, 3, (3, 3), 3, (6, 6),
              features=torch.rand(2, 3, 3, 3, generator=gen, dtype=f64) * torch.tensor([0.1, 5.0],
                                                                                      dtype=f64)[:, None, None, None]),
        _case(PER_IMAGE, gen, 3, 4, (3, 4), 4, (6, 8),
              features=torch.rand(3, 4, 3, 4, generator=gen, dtype=f64) * torch.tensor([3.0, 0.2, 1.0],
                                                                                      dtype=f64)[:, None, None, None]
              + torch.tensor([0.0, 4.0, 1.0], dtype=f64)[:, None, None, None]),
        # A constant map: alone, next to ordinary ones, all zeros by a class whose weights are 0, and float64.
        _constant(gen, 1, 3, (2, 2), 3, (4, 4), flat=[0], classes=[1]),
        _constant(gen, 3, 3, (3, 3), 4, (6, 12), flat=[1]),
        _case(CONSTANT, gen, 2, 3, (3, 3), 4, (6, 6), classes=[2, 0], weight=zero_row),
        _constant(gen, 2, 4, (3, 4), 3, (12, 8), flat=[0], dtype=f64),
        # Maps whose range is about 1e-4 (float32) and 1e-3 (float64): an eps in the division shows.
        _case(SCALE, gen, 2, 3, (3, 3), 3, (6, 6), scale=1e-4),
        _case(SCALE, gen, 3, 4, (3, 4), 5, (9, 8), scale=1e-3, dtype=f64),
        _case(SCALE, gen, 2, 3, (4, 3), 4, (8, 9), scale=1e4),
        # float64 throughout.
        _case(FLOAT64, gen, 2, 3, (3, 3), 4, (6, 6), dtype=f64),
        _case(FLOAT64, gen, 3, 5, (4, 4), 6, (10, 14), dtype=f64),
        _case(FLOAT64, gen, 2, 4, (3, 5), 3, (9, 10), dtype=f64, int_class=1),
    ]
