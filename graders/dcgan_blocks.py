"""Grader for dcgan_blocks (D2L 20.2): the `module` driver builds G_block and D_block as the book calls them
(its printed output sizes, the defaults left out, strides and padding given positionally and by keyword),
loads the reference's weights by the book's attribute names and checks the outputs, the gradients, the
evaluation mode and the running statistics; diagnoses name the usual slips (LeakyReLU's default slope,
`stride` for the book's `strides`, the MXNet tab's signature without in_channels)."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis
from d2lcoach.grading.layer_state import batch_norm_state, module_spec
from d2lcoach.sandbox.runtime.wire import SentTensor

#: Batch norm over a few hundred values per channel after a convolution: another summation order differs
#: by a few 1e-6; every bug below is off by O(0.1).
TOLERANCE = {torch.float32: (1e-4, 1e-4)}

HINTS = {
    "G_block": "G_block(out_channels, in_channels=3, kernel_size=4, strides=2, padding=1): conv2d_trans = "
               "nn.ConvTranspose2d(in_channels, out_channels, kernel_size, strides, padding, bias=False), "
               "batch_norm = nn.BatchNorm2d(out_channels), activation = nn.ReLU(), and forward is "
               "activation(batch_norm(conv2d_trans(X))): with the defaults the height and width double "
               "(D2L 20.2)",
    "G_block strides and padding": "pass kernel_size, strides and padding on to nn.ConvTranspose2d in the book's "
                                   "order, (in_channels, out_channels, kernel_size, strides, padding): "
                                   "G_block(20, strides=1, padding=0) makes a 1 x 1 input 4 x 4 (D2L 20.2)",
    "D_block": "D_block(out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, alpha=0.2): conv2d = "
               "nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding, bias=False), batch_norm = "
               "nn.BatchNorm2d(out_channels), activation = nn.LeakyReLU(alpha), forward "
               "activation(batch_norm(conv2d(X))): with the defaults the height and width halve (D2L 20.2)",
    "D_block alpha and strides": "pass kernel_size, strides and padding on to nn.Conv2d in the book's order "
                                          "and alpha to nn.LeakyReLU(alpha): the slope of the negative part is the "
                                          "argument, 0.2 only by default (D2L 20.2)",
    "evaluation mode": "after .eval() the batch norm uses its running statistics: build it as "
                       "nn.BatchNorm2d(out_channels) and call it in forward (D2L 8.5, 20.2)",
    "running statistics": "build the batch norm as nn.BatchNorm2d(out_channels), default momentum 0.1, and call it "
                          "once per forward: in training mode every forward moves running_mean and running_var "
                          "towards the batch's statistics (D2L 8.5, 20.2)",
}

#: What each call gives its class: the book's order of parameters and their defaults.
G_PARAMETERS = ("out_channels", "in_channels", "kernel_size", "strides", "padding")
D_PARAMETERS = (*G_PARAMETERS, "alpha")
DEFAULTS = {"in_channels": 3, "kernel_size": 4, "strides": 2, "padding": 1, "alpha": 0.2}


def _arguments(cls, args, kwargs) -> dict:
    names = G_PARAMETERS if cls == "G_block" else D_PARAMETERS
    return {**DEFAULTS, **dict(zip(names, args)), **kwargs}


def _out_size(cls, n, a) -> int:
    k, s, p = a["kernel_size"], a["strides"], a["padding"]
    return (n - 1) * s + k - 2 * p if cls == "G_block" else (n + 2 * p - k) // s + 1


def _compare(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """compare_module, with a wrong output size counted against the case's property: the sizes the book prints
    (G_block(20) doubles 16 x 16, D_block(20) halves it) are lines of the contract, not a generic shape."""
    found = []
    for check, message in driven.compare_module(expected, actual, case, device):
        if check == "shape":
            check, message = case.property, f"{message}\nHint: {case.hint}"
        found.append((check, message))
    if isinstance(actual, dict) and actual.get("load_error") is not None:
        # A block that cannot hold the reference's weights was never run: its outputs are not right either.
        found.append((case.property, f"{case.label}: its outputs could not be checked, because the reference's "
                      f"{str(actual['load_error'])[:100]} does not fit the block (see registered parameters)"))
    return found


def _case(gen, prop, cls, args=(), kwargs=None, shapes=((2, 3, 4, 4),), *, mode="train", buffers=False,
          meta=False) -> Case:
    kwargs = dict(kwargs or {})
    a = _arguments(cls, args, kwargs)
    c_in, c_out, k = a["in_channels"], a["out_channels"], a["kernel_size"]
    scale = 1.5 / (c_in * k * k) ** 0.5
    if cls == "G_block":  # nn.ConvTranspose2d's weight is (in, out, k, k)
        state = {"conv2d_trans.weight": torch.randn(c_in, c_out, k, k, generator=gen) * scale}
    else:
        state = {"conv2d.weight": torch.randn(c_out, c_in, k, k, generator=gen) * scale}
    running = mode == "eval" or buffers  # loaded running statistics, far from a batch's own
    state.update(batch_norm_state(gen, "batch_norm", c_out, torch.float32, running))
    inputs = [torch.randn(*shape, generator=gen) for shape in shapes]
    n, _, h, w = shapes[0]
    grad_output = torch.randn(n, c_out, _out_size(cls, h, a), _out_size(cls, w, a), generator=gen)
    spec = module_spec(cls, args, kwargs, state, inputs, grad_output, mode=mode, dtype=torch.float32,
                       any_order=True,
                       buffers=["batch_norm.running_mean", "batch_norm.running_var"] if buffers else None)
    call = ", ".join([*map(str, args), *(f"{key}={value}" for key, value in kwargs.items())])
    where = " after .eval()" if mode == "eval" else " in training mode"
    # Every output follows from the parameters registered; evaluation mode and the running statistics also
    # compare the block's outputs, so while the block's own property fails, theirs follows from it.
    requires = ("registered parameters", *((cls,) if prop in ("evaluation mode", "running statistics") else ()))
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=_compare,
                checks=driven.MODULE_CHECKS, meta=meta, hint=HINTS[prop], tolerance=TOLERANCE, requires=requires,
                label=f"{cls}({call}){where}, with the reference's weights, on X of shape {tuple(shapes[0])}")


# ----------------------------------------------------------------------------- diagnoses


def _outputs(expected, actual):
    """The first forward's output of the reference and of the submission, as tensors (or None)."""
    try:
        want, got = expected["forward"][0]["output"], actual["forward"][0]["output"]
    except (KeyError, IndexError, TypeError):
        return None, None
    want = want.tensor if isinstance(want, SentTensor) else want
    got = got.tensor if isinstance(got, SentTensor) else got
    if not (isinstance(want, torch.Tensor) and isinstance(got, torch.Tensor)) or want.shape != got.shape:
        return None, None
    return want.double(), got.double()


def _slope(expected, actual, case) -> float | None:
    """The submission's D_block slope, where its output is the reference's on the positive part and a common
    multiple of it on the negative part; None otherwise."""
    if case.spec.get("class") != "D_block":
        return None
    want, got = _outputs(expected, actual)
    if want is None:
        return None
    alpha = _arguments("D_block", case.spec["init"]["args"], case.spec["init"]["kwargs"])["alpha"]
    positive, negative = want > 1e-3, want < -1e-3
    if not bool(positive.any()) or not bool(negative.any()):
        return None
    if not torch.allclose(got[positive], want[positive], rtol=1e-3, atol=1e-4):
        return None
    ratios = got[negative] / want[negative] * alpha
    slope = float(ratios.median())
    return slope if bool(((ratios - slope).abs() < 1e-3).all()) else None


#: The properties whose cases compare a D_block's (or a G_block's) outputs directly, where an activation's
#: diagnosis is shown; float64 and the round trip rerun the same case and follow from it.
D_OUTPUTS = ("D_block", "D_block alpha and strides", "evaluation mode", "running statistics")
G_OUTPUTS = ("G_block", "G_block strides and padding", "evaluation mode", "running statistics")


def _slope_is(value, unless_alpha=None):
    def when(expected, actual, case):
        slope = _slope(expected, actual, case)
        alpha = _arguments("D_block", case.spec["init"]["args"], case.spec["init"]["kwargs"])["alpha"]
        return slope is not None and abs(slope - value) < 1e-3 and alpha != unless_alpha
    return when


def _leaky_in_g_block(expected, actual, case) -> bool:
    """G_block's output negative where the reference's ReLU gives 0: a LeakyReLU (or none) in the generator."""
    if case.spec.get("class") != "G_block":
        return False
    want, got = _outputs(expected, actual)
    return want is not None and bool((got[want == 0] < -1e-4).any()) and torch.allclose(
        got[want > 1e-3], want[want > 1e-3], rtol=1e-3, atol=1e-4)


DIAGNOSES = (
    Diagnosis(hint="the course follows the PyTorch code of D2L 20.2 (English edition; d2l-zh's translation prints "
                   "the same): G_block(out_channels, in_channels=3, kernel_size=4, strides=2, padding=1) and "
                   "D_block(out_channels, in_channels=3, ..., alpha=0.2), with in_channels a parameter and "
                   "nn.ConvTranspose2d(in_channels, out_channels, ...) / nn.Conv2d(in_channels, out_channels, ...). "
                   "Yours follows the MXNet tab (G_block(channels, kernel_size=4, strides=2, padding=1), Gluon "
                   "inferring the input channels; in PyTorch a lazy layer) or an early printing that named it nz / "
                   "nc: the grader passes in_channels=... as the book's net_G does and loads the reference's "
                   "weights before the first call",
              error=r"unexpected keyword argument 'in_channels'|uninitiali[sz]ed parameter|"
                    r"missing 1 required positional argument: '(channels|out_channels)'|"
                    r"takes from \d+ to \d+ positional arguments but \d+ were given"),
    Diagnosis(hint="the book's blocks spell the stride `strides` (plural): G_block(20, strides=1, padding=0) "
                   "(D2L 20.2); nn.ConvTranspose2d and nn.Conv2d call their own parameter stride, so pass it on "
                   "positionally or as stride=strides", error=r"unexpected keyword argument 'strides'"),
    Diagnosis(hint="D_block takes the LeakyReLU's slope as its last parameter, alpha=0.2: "
                   "D_block(out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, alpha=0.2) (D2L 20.2)",
              error=r"unexpected keyword argument 'alpha'"),
    Diagnosis(hint="yours uses nn.LeakyReLU() with its default slope 0.01: the book's D_block passes alpha, "
                   "nn.LeakyReLU(alpha) with alpha=0.2 by default", when=_slope_is(0.01), properties=D_OUTPUTS),
    Diagnosis(hint="yours lets the negative part through unchanged (no activation after the batch norm): D_block "
                   "ends with nn.LeakyReLU(alpha)", when=_slope_is(1.0), properties=D_OUTPUTS),
    Diagnosis(hint="yours zeroes the negative part, a ReLU: the discriminator's block ends with "
                   "nn.LeakyReLU(alpha), slope 0.2 by default (D2L 20.2); ReLU is the generator's",
              when=_slope_is(0.0), properties=D_OUTPUTS),
    Diagnosis(hint="yours keeps the slope at 0.2 whatever alpha is: build the activation with the argument, "
                   "nn.LeakyReLU(alpha)", when=_slope_is(0.2, unless_alpha=0.2), properties=D_OUTPUTS),
    Diagnosis(hint="yours lets negative values out of G_block: the generator's block ends with nn.ReLU() "
                   "(the LeakyReLU is the discriminator's)", when=_leaky_in_g_block, properties=G_OUTPUTS),
)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        # G_block with its defaults: a small one, then the book's G_block(20) on (2, 3, 16, 16) -> (2, 20, 32, 32).
        _case(gen, "G_block", "G_block", (4,), shapes=[(2, 3, 3, 3), (3, 3, 2, 4)], meta=True),
        _case(gen, "G_block", "G_block", (20,), shapes=[(2, 3, 16, 16)]),
        # The book's G_block(20, strides=1, padding=0) on (2, 3, 1, 1) -> (2, 20, 4, 4), net_G's keyword call,
        # and every parameter positionally.
        _case(gen, "G_block strides and padding", "G_block", (20,), {"strides": 1, "padding": 0},
              shapes=[(2, 3, 1, 1)]),
        _case(gen, "G_block strides and padding", "G_block", (), {"in_channels": 5, "out_channels": 3,
                                                                  "kernel_size": 3, "strides": 3, "padding": 1},
              shapes=[(2, 5, 3, 2)]),
        _case(gen, "G_block strides and padding", "G_block", (3, 2, 3, 2, 0), shapes=[(2, 2, 3, 4)]),
        # D_block with its defaults: a small one, then the book's D_block(20) on (2, 3, 16, 16) -> (2, 20, 8, 8).
        _case(gen, "D_block", "D_block", (4,), shapes=[(2, 3, 4, 4), (3, 3, 6, 5)], meta=True),
        _case(gen, "D_block", "D_block", (20,), shapes=[(2, 3, 16, 16)]),
        # alpha alone, every parameter by keyword, every parameter positionally.
        _case(gen, "D_block alpha and strides", "D_block", (3,), {"alpha": 0.5}, shapes=[(2, 3, 4, 4)]),
        _case(gen, "D_block alpha and strides", "D_block", (),
              {"in_channels": 4, "out_channels": 3, "kernel_size": 3, "strides": 1, "padding": 1, "alpha": 0.05},
              shapes=[(2, 4, 5, 4)]),
        _case(gen, "D_block alpha and strides", "D_block", (3, 2, 3, 2, 0, 0.4), shapes=[(2, 2, 7, 6)]),
        # After .eval(): the running statistics the grader loaded.
        _case(gen, "evaluation mode", "G_block", (3, 2), shapes=[(2, 2, 3, 3)], mode="eval"),
        _case(gen, "evaluation mode", "D_block", (3, 2), shapes=[(2, 2, 6, 6)], mode="eval"),
        # Two training-mode forwards from loaded running statistics, then the batch norm's buffers.
        _case(gen, "running statistics", "G_block", (3, 2), shapes=[(2, 2, 3, 3), (3, 2, 2, 2)], buffers=True),
        _case(gen, "running statistics", "D_block", (3, 2), shapes=[(2, 2, 4, 4), (3, 2, 6, 4)], buffers=True),
    ]
