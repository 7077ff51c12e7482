"""Grader for style_transfer (D2L 14.12): content_loss, gram (divided by c * h * w), style_loss and
tv_loss as calls with gradients to the synthesised image; and, with the `steps` driver, a backward
pass through content_loss and style_loss whose targets require grad, which must receive none (the
PyTorch edition detaches them)."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

CONTENT = "content loss"
GRAM = "Gram matrix"
STYLE = "style loss"
TV = "total variation"
DETACHED = "detached targets"

HINTS = {
    CONTENT: "the mean over every element of the squared difference: torch.square(Y_hat - Y).mean(), "
             "no / 2 and no sum (D2L 14.12's content_loss)",
    GRAM: "read X (1, c, h, w) as the (c, h * w) matrix X.reshape(c, -1), whose row i is channel i, and "
          "return X @ X.T / (c * h * w): divided by the number of elements of X (D2L 14.12's gram)",
    STYLE: "torch.square(gram(Y_hat) - gram_Y).mean(): the Gram matrix of Y_hat (with your gram), against "
           "the given gram_Y, averaged over its c * c elements (D2L 14.12's style_loss)",
    TV: "0.5 * (|Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]|.mean() + |Y_hat[:, :, :, 1:] - "
        "Y_hat[:, :, :, :-1]|.mean()): absolute differences along H and W (dims 2 and 3), each averaged "
        "over its own elements (D2L 14.12's tv_loss)",
    DETACHED: "the target is a stated value, not a variable: use Y.detach() in content_loss and "
              "gram_Y.detach() in style_loss, so that backward() sends no gradient into it (D2L 14.12)",
}


def _randn(gen, shape, dtype):
    return torch.randn(shape, generator=gen, dtype=dtype)


def _call(gen, prop, function, args, names, label, out_shape=()):
    """A call whose gradient must reach args[0], the synthesised image (or X)."""
    return Case(property=prop, function=function, args=args, names=names, label=label, grad=((0,),),
                grad_outputs=[_randn(gen, out_shape, args[0].dtype)], hint=HINTS[prop])


def _content(gen, shape, dtype=torch.float32):
    Y_hat, Y = _randn(gen, shape, dtype), _randn(gen, shape, dtype)
    return _call(gen, CONTENT, "content_loss", (Y_hat, Y), ("Y_hat", "Y"), "content_loss(Y_hat, Y)")


def _gram(gen, shape, dtype=torch.float32):
    return _call(gen, GRAM, "gram", (_randn(gen, shape, dtype),), ("X",), "gram(X)", out_shape=(shape[1], shape[1]))


def _style_target(gen, c, dtype):
    """The Gram matrix of another image: symmetric, as a real gram_Y is."""
    F = _randn(gen, (c, 6), dtype)
    return F @ F.T / (6 * c)


def _style(gen, shape, dtype=torch.float32):
    Y_hat = _randn(gen, shape, dtype)
    return _call(gen, STYLE, "style_loss", (Y_hat, _style_target(gen, shape[1], dtype)), ("Y_hat", "gram_Y"),
                 "style_loss(Y_hat, gram_Y)")


def _tv(gen, shape, dtype=torch.float32):
    return _call(gen, TV, "tv_loss", (_randn(gen, shape, dtype),), ("Y_hat",), "tv_loss(Y_hat)")


def compare_detached(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """Y_hat's gradient as compare_steps judges it (the loss's value is the call cases' business); a
    gradient left in the target (which the reference never gives one) fails this case's property."""
    found = []
    for check, message in driven.compare_steps(expected, actual, case, device):
        if check == "gradients zeroed":
            target = case.spec["target"]
            message = (f"{case.label}: after backward() {target}.grad holds a gradient: the target was not "
                       f"detached, so the loss treats it as a variable. Use {target}.detach()")
            check = case.property
        elif check == "no graph through the update":
            message = (f"{case.label}: the target {case.spec['target']} no longer requires grad: the loss "
                       "changed the caller's tensor in place (detach_(), requires_grad_(False)); use "
                       f"{case.spec['target']}.detach(), which returns a new tensor")
            check = "no mutation"
        found.append((check, message))
    return found


def _detached(gen, function, shape, dtype=torch.float32):
    target = "Y" if function == "content_loss" else "gram_Y"
    Y_hat = _randn(gen, shape, dtype)
    other = _randn(gen, shape, dtype) if function == "content_loss" else _style_target(gen, shape[1], dtype)
    spec = {"driver": "steps", "env": {"Y_hat": Y_hat, target: other}, "leaves": ["Y_hat", target],
            "watch": ["Y_hat", target], "target": target,
            "steps": [{"call": function, "args": [{"ref": "Y_hat"}, {"ref": target}], "save": "l",
                       "label": f"l = {function}(Y_hat, {target})", "compare_output": False},
                      {"backward": "l", "label": "l.backward()"}]}
    return Case(property=DETACHED, args=(), kind="driver", spec=spec, compare=compare_detached,
                checks=("gradients",), meta=False, hint=HINTS[DETACHED],
                label=f"{function}(Y_hat, {target}) then backward(), with Y_hat of shape {shape} "
                      f"{str(dtype)[6:]} and {target} requiring grad")


def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    return [
        _content(gen, (1, 2, 2, 3)),
        _content(gen, (2, 3, 4, 3)),
        _content(gen, (1, 3, 3, 5), f64),
        # c, h and w all differ (and h * w != c), so a transposed or mis-divided Gram matrix shows.
        _gram(gen, (1, 2, 3, 4)),
        _gram(gen, (1, 4, 2, 3)),
        _gram(gen, (1, 3, 5, 2), f64),
        _style(gen, (1, 2, 3, 4)),
        _style(gen, (1, 4, 3, 2)),
        _style(gen, (1, 3, 2, 5), f64),
        # H != W and N, C > 1: the two means have different sizes, and dims 1, 2, 3 differ.
        _tv(gen, (1, 1, 2, 3)),
        _tv(gen, (2, 3, 3, 5)),
        _tv(gen, (2, 2, 5, 2)),
        _tv(gen, (1, 3, 4, 4), f64),
        _detached(gen, "content_loss", (1, 2, 3, 3)),
        _detached(gen, "style_loss", (1, 3, 2, 4)),
        _detached(gen, "content_loss", (2, 2, 2, 3), f64),
        _detached(gen, "style_loss", (1, 2, 3, 2), f64),
    ]
