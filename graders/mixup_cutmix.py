"""Grader for mixup_cutmix (Zhang et al. 2018, Yun et al. 2019; beside D2L 14.1): mixup and cutmix as plain
calls on a given permutation and box (deterministic), and the box sampler cutmix_box by structure and
statistics (the `repeat` driver), each statistical check failing a correct sampler with probability at most
1e-9.

mixup(X, y, lam, perm, num_classes) and cutmix(X, y, lam, perm, box, num_classes) return (images, targets):
their comparison grades the images and the targets as two properties of the contract. cutmix_box(H, W, lam)
is called with its default generator=None (torch's global generator, seeded by the driver): a torch.Generator
cannot travel into the sandbox as plain data. Each returned box is checked to be the clipped cut of
int(H * r) x int(W * r), r = sqrt(1 - lam), around some centre pixel; the centres are recovered exactly from
the boxes and their distribution is compared with the uniform one over the H x W pixels (DKW on each axis,
an exact binomial range for the top-left quarter, which also catches one draw used for both axes).
Images are not square and perms have no fixed point and are not their own inverse, so H and W swapped,
X mixed with itself and a scattered (inverse) permutation all show.
"""

from __future__ import annotations

import dataclasses
import math

import torch

from d2lcoach.grading import stats
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close
from d2lcoach.grading.engine import compare_output

MIXED_IMAGES = "mixed images"
MIXED_TARGETS = "mixed targets"
PASTED = "pasted box"
AREA = "area weight"
CUT = "cut size"
INSIDE = "inside the image"
UNIFORM = "uniform centre"

HINTS = {
    MIXED_IMAGES: "mixup (Zhang et al. 2018): lam * X + (1 - lam) * X[perm]. Example i is mixed with example "
                  "perm[i] (X[perm] gathers), lam on X itself and 1 - lam on its partner.",
    MIXED_TARGETS: "The targets are mixed like the images: Y = F.one_hot(y, num_classes).to(X.dtype), then "
                   "lam * Y + (1 - lam) * Y[perm] for mixup; one column per class of num_classes.",
    PASTED: "cutmix (Yun et al. 2019): a copy of X with the box of X[perm] pasted in. box = (x1, y1, x2, y2), "
            "half-open: rows y1:y2 (height, dimension -2), columns x1:x2 (width, dimension -1): "
            "X_mixed[..., y1:y2, x1:x2] = X[perm][..., y1:y2, x1:x2] on a clone of X.",
    AREA: "The targets' weight is the box's exact area, not the lam you are given: lam_adjusted = 1 - (x2 - x1) "
          "* (y2 - y1) / (H * W), then lam_adjusted * Y + (1 - lam_adjusted) * Y[perm].",
}


# --------------------------------------------------------------------------- inputs

def _perm(gen, n):
    """One n-cycle in a random order: no example is its own partner, and (n >= 3) perm is not its inverse."""
    order = torch.randperm(n, generator=gen)
    perm = torch.empty(n, dtype=torch.int64)
    perm[order] = order.roll(-1)
    return perm


def _grad_outputs(gen, X):
    return [torch.randn(X.shape, generator=gen, dtype=X.dtype), None]


def _mixup_case(prop, gen, shape, K, lam, dtype=torch.float32, labels=None, perm=None, note=""):
    X = torch.randn(shape, generator=gen, dtype=dtype)
    n = shape[0]
    y = torch.randint(0, K, (n,), generator=gen) if labels is None else labels
    perm = _perm(gen, n) if perm is None else perm
    other = MIXED_TARGETS if prop == MIXED_IMAGES else MIXED_IMAGES
    return Case(property=prop, function="mixup", args=(X, y, lam, perm, K),
                names=("X", "y", "lam", "perm", "num_classes"),
                label=f"mixup(X, y, {lam:g}, perm, {K}){note}", grad=((0,),), grad_outputs=_grad_outputs(gen, X),
                compare=_compare_mixed, checks=(other, "shape", "dtype"), hint=HINTS[prop])


def _cutmix_case(prop, gen, shape, K, lam, box, dtype=torch.float32, perm=None, note=""):
    X = torch.randn(shape, generator=gen, dtype=dtype)
    n = shape[0]
    y = torch.randint(0, K, (n,), generator=gen)
    perm = _perm(gen, n) if perm is None else perm
    other = AREA if prop == PASTED else PASTED
    return Case(property=prop, function="cutmix", args=(X, y, lam, perm, tuple(box), K),
                names=("X", "y", "lam", "perm", "box", "num_classes"),
                label=f"cutmix(X, y, {lam:g}, perm, box={tuple(box)}, {K}){note}", grad=((0,),),
                grad_outputs=_grad_outputs(gen, X), compare=_compare_mixed, checks=(other, "shape", "dtype"),
                hint=HINTS[prop])


def _cut(H, W, lam):
    r = math.sqrt(1 - lam)
    return int(H * r), int(W * r)


def _box_around(H, W, lam, cy, cx):
    """The contract's box for a centre: the cut's top-left corner at (cy - h // 2, cx - w // 2), clipped."""
    h, w = _cut(H, W, lam)
    top, left = cy - h // 2, cx - w // 2
    return max(left, 0), max(top, 0), min(left + w, W), min(top + h, H)


def _drawn_box(gen, H, W, lam, clipped):
    """A box as cutmix_box would draw it for lam, clipped at an edge or not, whose area differs from 1 - lam."""
    h, w = _cut(H, W, lam)
    for _ in range(1000):
        cy = int(torch.randint(H, (), generator=gen))
        cx = int(torch.randint(W, (), generator=gen))
        box = _box_around(H, W, lam, cy, cx)
        x1, y1, x2, y2 = box
        is_clipped = (x2 - x1, y2 - y1) != (w, h)
        if is_clipped == clipped and abs((1 - (x2 - x1) * (y2 - y1) / (H * W)) - lam) > 0.02:
            return box
    raise AssertionError("no box found")


# --------------------------------------------------------------------------- the parent's comparisons

def _compare_mixed(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """(images, targets): each part compared by the engine's default comparison, as its own property."""
    call = case.label
    if not isinstance(actual, (tuple, list)) or len(actual) != 2:
        return [("result type", f"{call}: the result should be a pair (mixed images, mixed targets)")]
    props = (MIXED_IMAGES, MIXED_TARGETS) if case.function == "mixup" else (PASTED, AREA)
    found = []
    for part, prop, where in zip((0, 1), props, ("the image batch (result[0])", "the target matrix (result[1])")):
        as_prop = dataclasses.replace(case, property=prop, hint=HINTS[prop])
        found += compare_output(expected[part], actual[part], as_prop, device, where)
    return found


def _one_hot(case):
    X, y = case.args[0], case.args[1]
    return torch.nn.functional.one_hot(y, case.args[-1]).double()


def _targets_with(weight):
    """The targets mixed with weight(case) on Y and 1 - weight on Y[perm] (or None for another function)."""
    def when(expected, actual, case):
        w = weight(case)
        Y, perm = _one_hot(case), case.args[3]
        return close(actual[1], w * Y + (1 - w) * Y[perm])
    return when


def _area(case, extra=0):
    X, box = case.args[0], case.args[4]
    x1, y1, x2, y2 = box
    return 1 - (x2 - x1 + extra) * (y2 - y1 + extra) / (X.shape[-2] * X.shape[-1])


def _images_equal(build):
    def when(expected, actual, case):
        return close(actual[0], build(case))
    return when


def _mixup_images(use):
    def build(case):
        X, lam, perm = case.args[0].double(), case.args[2], case.args[3]
        return lam * X + (1 - lam) * use(X, perm)
    return build


def _pasted(rows_cols, source):
    """X with rows_cols(box) = (row slice, column slice) taken from source(X, perm)."""
    def build(case):
        X, perm, box = case.args[0].double(), case.args[3], case.args[4]
        rows, cols = rows_cols(box)
        out = X.clone()
        out[..., rows, cols] = source(X, perm)[..., rows, cols]
        return out
    return build


def _is(function):
    def wrap(when):
        return lambda expected, actual, case: case.function == function and when(expected, actual, case)
    return wrap


_MIXUP, _CUTMIX = _is("mixup"), _is("cutmix")

#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py), each limited to the
#: property that names its line of the contract, so that property's failure is shown first.
DIAGNOSES = (
    Diagnosis(when=_MIXUP(_images_equal(lambda case: case.args[0].double())), properties=(MIXED_IMAGES,),
              hint="yours is X itself: X is mixed with X, not with its partners. Example i's partner is "
                   "X[perm[i]]: lam * X + (1 - lam) * X[perm]"),
    Diagnosis(when=_MIXUP(_images_equal(lambda case: (1 - case.args[2]) * case.args[0].double()
                                        + case.args[2] * case.args[0].double()[case.args[3]])),
              properties=(MIXED_IMAGES,),
              hint="yours puts lam on the partner X[perm] and 1 - lam on X: the weights are the other way round, "
                   "lam * X + (1 - lam) * X[perm] (Zhang et al. 2018: x = lam * x_i + (1 - lam) * x_j)"),
    Diagnosis(when=_MIXUP(_images_equal(_mixup_images(lambda X, perm: X[torch.argsort(perm)]))),
              properties=(MIXED_IMAGES,),
              hint="yours mixes example perm[i] with example i (the permutation scattered, its inverse): example "
                   "i's partner is X[perm[i]], so index with perm, X[perm], rather than writing out[perm] = ..."),
    Diagnosis(when=_MIXUP(_targets_with(lambda case: 1 - case.args[2])), properties=(MIXED_TARGETS,),
              hint="yours puts lam on the partner's label and 1 - lam on the example's own: the targets take the "
                   "images' weights, lam * Y + (1 - lam) * Y[perm]"),
    Diagnosis(when=_targets_with(lambda case: 1.0), properties=(MIXED_TARGETS, AREA),
              hint="yours is the one-hot target of y alone: the partner's label is missing. Mix it in with the "
                   "images' weights: w * Y + (1 - w) * Y[perm]"),
    Diagnosis(when=_CUTMIX(_targets_with(lambda case: case.args[2])), properties=(AREA,),
              hint="yours weights the targets with the lam you were given: after int() and clipping at the edges, "
                   "the box's area is not 1 - lam. Weight by the pasted area: lam_adjusted = 1 - (x2 - x1) * "
                   "(y2 - y1) / (H * W) (torchvision's CutMix does the same)"),
    Diagnosis(when=_CUTMIX(_targets_with(lambda case: 1 - _area(case))), properties=(AREA,),
              hint="yours gives the pasted area's share to y and the rest to y[perm]: the box holds the partner's "
                   "pixels, so Y[perm] gets (x2 - x1) * (y2 - y1) / (H * W) and Y gets lam_adjusted = 1 minus that"),
    Diagnosis(when=_CUTMIX(_targets_with(lambda case: _area(case, extra=1))), properties=(AREA,),
              hint="yours counts (x2 - x1 + 1) * (y2 - y1 + 1) pixels: the box is half-open (Python slices), so it "
                   "holds (x2 - x1) * (y2 - y1) of them"),
    Diagnosis(when=_CUTMIX(_images_equal(_pasted(lambda b: (slice(b[0], b[2]), slice(b[1], b[3])),
                                                 lambda X, perm: X[perm]))),
              properties=(PASTED,),
              hint="yours pastes rows x1:x2 and columns y1:y2: box is (x1, y1, x2, y2) as in torchvision, x along "
                   "the width (the last dimension), y along the height: X_mixed[..., y1:y2, x1:x2]"),
    Diagnosis(when=_CUTMIX(_images_equal(_pasted(lambda b: (slice(b[1], b[3] + 1), slice(b[0], b[2] + 1)),
                                                 lambda X, perm: X[perm]))),
              properties=(PASTED,),
              hint="yours pastes rows y1..y2 and columns x1..x2 inclusive: the box is half-open, rows y1:y2 and "
                   "columns x1:x2 as Python slices"),
    Diagnosis(when=_CUTMIX(_images_equal(lambda case: case.args[0].double())), properties=(PASTED,),
              hint="yours is X unchanged: the box must hold the partner's pixels, X[perm][..., y1:y2, x1:x2]"),
)


# --------------------------------------------------------------------------- the box sampler

def _seed(gen) -> int:
    return int(torch.randint(2**31 - 1, (), generator=gen))


def _box_case(prop, gen, H, W, lam, times, checks=()):
    spec = {"driver": "repeat", "function": "cutmix_box", "args": [H, W, lam], "times": times, "seed": _seed(gen)}
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=compare_boxes, meta=False,
                checks=tuple(c for c in checks if c != prop), function="cutmix_box",
                label=f"{times} calls of cutmix_box({H}, {W}, {lam:g})")


def _placements(size, cut):
    """{(start, end): centre} for every centre pixel along one axis of `size`, cut `cut` long, clipped."""
    found = {}
    for c in range(size):
        top = c - cut // 2
        found.setdefault((max(top, 0), min(top + cut, size)), c)
    return found


def _alternatives(H, W, lam):
    """The usual wrong cuts (rows, columns) and what each means, to name the mistake a box shows."""
    h, w = _cut(H, W, lam)
    s = math.sqrt(lam)
    return [((int(H * s), int(W * s)), "the cut of r = sqrt(lam): the cut's area is the share 1 - lam of the "
             "image, so r = sqrt(1 - lam)"),
            ((w, h), "H and W swapped: the rows' cut is int(H * r) (y, the height), the columns' int(W * r)"),
            ((2 * (h // 2), 2 * (w // 2)), "the paper's centre -/+ cut // 2, which is a pixel short when the cut is "
             "odd: take top = centre - cut // 2 and bottom = top + cut, exactly cut long before clipping")]


def _check_structure(boxes, H, W, lam, call):
    """The 'inside the image' and 'cut size' failures of a list of boxes (the first of each), and the
    recovered centres (None where a box is not one of the contract's)."""
    h, w = _cut(H, W, lam)
    rows, cols = _placements(H, h), _placements(W, w)
    found, centres = [], []
    inside_bad = cut_bad = False
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        if not (0 <= x1 <= x2 <= W and 0 <= y1 <= y2 <= H):
            centres.append(None)
            if not inside_bad:
                inside_bad = True
                found.append((INSIDE, f"{call}: call {i + 1} returned the box (x1, y1, x2, y2) = "
                              f"{(x1, y1, x2, y2)}, which does not lie inside the {H} x {W} image: 0 <= x1 <= x2 <= "
                              f"{W} and 0 <= y1 <= y2 <= {H}. Clip the cut to the image: x1 = max(left, 0), x2 = "
                              f"min(left + cut_w, {W}), and the same for y with {H}"))
            continue
        cy, cx = rows.get((y1, y2)), cols.get((x1, x2))
        centres.append(None if cy is None or cx is None else (cy, cx))
        if (cy is None or cx is None) and not cut_bad:
            cut_bad = True
            axes = [name for name, c in (("row span y1:y2", cy), ("column span x1:x2", cx)) if c is None]
            why = next((meaning for (ah, aw), meaning in _alternatives(H, W, lam)
                        if (y1, y2) in _placements(H, ah) and (x1, x2) in _placements(W, aw)), None)
            found.append((CUT, f"{call}: call {i + 1} returned the box (x1, y1, x2, y2) = {(x1, y1, x2, y2)}, whose "
                          f"{' and '.join(axes)} {'are' if len(axes) > 1 else 'is'} not the cut clipped to the image around any centre pixel"
                          + (f"; it is {why}" if why else "") + f". With lam = {lam:g}, r = sqrt(1 - lam) and the "
                          f"cut is int({H} * r) = {h} rows by int({W} * r) = {w} columns, its top-left corner at "
                          "(cy - cut_h // 2, cx - cut_w // 2), then clipped."))
    return found, centres


def _uniform_failures(centres, H, W, call):
    """DKW on each axis's centres against the uniform distribution over its pixels, and an exact binomial range
    for the share of centres in the top-left quarter (rows < H // 2 and columns < W // 2)."""
    n = len(centres)
    eps = stats.dkw_epsilon(n)
    for axis, size, values in (("row", H, [c[0] for c in centres]), ("column", W, [c[1] for c in centres])):
        counts = torch.bincount(torch.tensor(values), minlength=size).double()
        ecdf = counts.cumsum(0) / n
        cdf = torch.arange(1, size + 1, dtype=torch.float64) / size
        gap = (ecdf - cdf).abs()
        worst = int(gap.argmax())
        if not float(gap[worst]) <= eps:
            return [(UNIFORM, f"{call}: the boxes' centre {axis}s are not uniform over the {size} {axis}s: "
                     f"{ecdf[worst]:.3f} of them are <= {worst}, where a uniform centre puts {cdf[worst]:.3f} "
                     f"(a uniform centre is further off than {eps:.3f} with probability below 1e-9). "
                     f"Draw the centre over the whole image, torch.randint({size}, ...), and clip the box, "
                     "rather than drawing only where the whole cut fits")]
    p = (H // 2) / H * ((W // 2) / W)
    count = sum(1 for cy, cx in centres if cy < H // 2 and cx < W // 2)
    lo, hi = stats.binomial_acceptance(n, p)
    if not lo <= count <= hi:
        risk = stats.binomial_false_failure(n, p, lo, hi)
        return [(UNIFORM, f"{call}: {count} of {n} centres lie in the top-left quarter (row < {H // 2} and column "
                 f"< {W // 2}); independent uniform rows and columns put there a count in [{lo}, {hi}] (outside it "
                 f"with probability below {risk:.0e}). Draw the row and the column of the centre separately, "
                 "one random number each")]
    return []


def compare_boxes(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    spec = case.spec
    H, W, lam = spec["args"]
    call = case.label
    outputs = actual.get("outputs") if isinstance(actual, dict) else None
    if type(outputs) is not list or len(outputs) != spec["times"]:
        return [("result type", f"{call}: the calls did not come back as expected")]
    for i, box in enumerate(outputs):
        if not isinstance(box, (tuple, list)) or len(box) != 4 or \
                not all(type(v) is int for v in box):
            kinds = (", ".join(type(v).__name__ if type(v) is not dict else "tensor" for v in box)
                     if isinstance(box, (tuple, list)) else type(box).__name__)
            return [("result type", f"{call}: call {i + 1} returned {kinds}: return a tuple of four Python ints "
                     "(x1, y1, x2, y2); int(t) turns a one-element tensor into one")]
    if device == "meta":
        return []
    found, centres = _check_structure([tuple(b) for b in outputs], H, W, lam, call)
    if found or case.property != UNIFORM:
        return found
    return _uniform_failures(centres, H, W, call)


# --------------------------------------------------------------------------- the cases

def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    cases = [
        # mixup: the images, smallest first; lam = 1 is X itself.
        _mixup_case(MIXED_IMAGES, gen, (3, 1, 2, 3), 3, 0.3),
        _mixup_case(MIXED_IMAGES, gen, (4, 3, 5, 7), 5, 0.7),
        _mixup_case(MIXED_IMAGES, gen, (5, 2, 4, 6), 4, 0.25, dtype=f64),
        _mixup_case(MIXED_IMAGES, gen, (3, 1, 3, 2), 2, 1.0),
        # mixup: the targets; labels that leave the last classes out, so num_classes must set the width.
        _mixup_case(MIXED_TARGETS, gen, (3, 1, 2, 2), 4, 0.6),
        _mixup_case(MIXED_TARGETS, gen, (5, 2, 3, 4), 7, 0.2, labels=torch.tensor([0, 2, 1, 2, 0]),
                    note=" (no label reaches the last classes)"),
        _mixup_case(MIXED_TARGETS, gen, (6, 1, 2, 3), 3, 0.85, dtype=f64),
        _mixup_case(MIXED_TARGETS, gen, (4, 1, 2, 2), 5, 0.4, perm=torch.randperm(4, generator=gen),
                    note=" (perm any permutation)"),
        # cutmix: the pasted box on images that are not square; an edge, the whole image and an empty box.
        _cutmix_case(PASTED, gen, (3, 1, 4, 6), 3, 0.6, (1, 1, 4, 3)),
        _cutmix_case(PASTED, gen, (3, 2, 5, 8), 4, 0.5, (2, 0, 7, 3)),
        _cutmix_case(PASTED, gen, (4, 1, 7, 5), 3, 0.3, (0, 2, 3, 7)),
        _cutmix_case(PASTED, gen, (3, 2, 6, 9), 5, 0.0, (0, 0, 9, 6), dtype=f64, note=" (the whole image)"),
        _cutmix_case(PASTED, gen, (3, 1, 4, 5), 3, 1.0, (2, 1, 2, 3), note=" (an empty box)"),
        # cutmix: the targets' weight, the box's exact area, against boxes drawn for lam (int()ed, clipped).
        _cutmix_case(AREA, gen, (3, 1, 6, 10), 4, 0.37, _drawn_box(gen, 6, 10, 0.37, clipped=False)),
        _cutmix_case(AREA, gen, (4, 2, 8, 12), 3, 0.41, _drawn_box(gen, 8, 12, 0.41, clipped=True)),
        _cutmix_case(AREA, gen, (5, 1, 12, 7), 6, 0.29, _drawn_box(gen, 12, 7, 0.29, clipped=True), dtype=f64),
        # the sampler: the cut's size (an empty cut at lam = 1), clipping (lam = 0 is the whole image's size).
        _box_case(CUT, gen, 11, 20, 0.37, 40, (INSIDE,)),
        _box_case(CUT, gen, 9, 14, 0.57, 40, (INSIDE,)),
        _box_case(CUT, gen, 7, 12, 1.0, 20, (INSIDE,)),
        _box_case(INSIDE, gen, 9, 16, 0.0, 100, (CUT,)),
        _box_case(INSIDE, gen, 10, 7, 0.29, 100, (CUT,)),
        # the centre, over many draws.
        _box_case(UNIFORM, gen, 24, 40, 0.47, 1000, (INSIDE, CUT)),
        _box_case(UNIFORM, gen, 31, 17, 0.53, 1000, (INSIDE, CUT)),
    ]
    return cases
