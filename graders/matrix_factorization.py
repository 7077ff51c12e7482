"""Grader for matrix_factorization (D2L 21.3, 21.5): MF with the `module` driver (the book's four embeddings
loaded by name; the dot product and the biases judged apart; a batch of one stays (1,)), MF's gradients with
the `steps` driver (checked against the submission's own weights: rows used twice accumulate); BPRLoss and
HingeLossbRec with the `module` driver (a sum over the pairs, scores of +-1000, the margin's default 1) and
the `steps` driver (gradients to both scores)."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close
from d2lcoach.grading.layer_state import module_spec
from d2lcoach.sandbox.runtime.wire import SentTensor

HINTS = {
    "predicted ratings": "P_u = self.P(user_id), Q_i = self.Q(item_id), b_u = self.user_bias(user_id), b_i = "
                         "self.item_bias(item_id); return ((P_u * Q_i).sum(dim=1) + b_u.squeeze(1) + "
                         "b_i.squeeze(1)).flatten() (D2L 21.3)",
    "dot product of the factors": "the rating's first term is the dot product of the user's and the item's "
                                  "factors, one per pair: (P_u * Q_i).sum(dim=1), not P_u @ Q_i.T",
    "user and item biases": "add both biases, the user's b_u = self.user_bias(user_id) and the item's b_i = "
                            "self.item_bias(item_id), each squeezed from (B, 1) to (B,)",
    "gradients": "look the rows up with the embeddings (self.P(user_id), ...) or by indexing .weight, without "
                 ".detach(), .data or torch.no_grad(), so every embedding gets its gradient",
    "BPR loss": "-F.logsigmoid(positive - negative).sum(): the negative log-likelihood that each positive item "
                "outranks its negative one (D2L 21.5)",
    "a sum over the pairs (not a mean)": "the book's BPRLoss and HingeLossbRec sum over the pairs (np.sum): no "
                                         ".mean(), no division by the batch size",
    "numerical stability": "log(sigmoid(x)) is log(0) = -inf for x = -1000 in float32: use F.logsigmoid(x), or "
                           "-F.softplus(-x), which stay finite",
    "hinge loss": "torch.clamp(margin - (positive - negative), min=0).sum(): zero once the positive score beats "
                  "the negative one by the margin (D2L 21.5)",
    "the margin (default 1)": "forward(self, positive, negative, margin=1): the book's default margin is 1, and a "
                              "margin passed in replaces it",
}

MF_NAMES = ("P.weight", "Q.weight", "user_bias.weight", "item_bias.weight")


def _loss_sum_was_mean(expected, actual, case):
    """The loss divided by the number of pairs: a mean where the book sums."""
    n = case.grader_data.get("pairs", 1)
    return n > 1 and isinstance(actual, torch.Tensor) and close(actual.double() * n, expected.double(), 1e-4, 1e-4)


DIAGNOSES = (
    Diagnosis(hint="yours is the mean over the pairs: the book's losses sum them (np.sum), so drop the .mean() "
                   "or the division by the batch size",
              when=lambda expected, actual, case: case.spec is not None and case.spec.get("class") != "MF"
              and isinstance(actual, dict) and isinstance(actual.get("forward"), list) and bool(actual["forward"])
              and _loss_sum_was_mean(expected["forward"][0]["output"], _output(actual, 0), case)),
    Diagnosis(hint="yours is not finite for a score difference of -1000: log(sigmoid(-1000)) is log(0) = -inf in "
                   "float32. Use F.logsigmoid(positive - negative) (or -F.softplus(negative - positive))",
              when=lambda expected, actual, case: case.property == "numerical stability"
              and isinstance(_output(actual, 0), torch.Tensor) and not bool(torch.isfinite(_output(actual, 0)).all())),
)


def _output(actual, i):
    """The module driver's output for input i, as a plain tensor (or None)."""
    try:
        out = actual["forward"][i]["output"]
    except (KeyError, IndexError, TypeError):
        return None
    return out.tensor if isinstance(out, SentTensor) else out


def _shape_notes(expected, actual, case):
    """Why an output has the wrong shape, for the usual ways: the book's keepdims, squeeze for B == 1, (B, 1)
    biases broadcast against (B,)."""
    notes = []
    for i, want in enumerate(expected.get("forward") or []):
        got = _output(actual, i)
        want = want["output"]
        if not isinstance(got, torch.Tensor) or tuple(got.shape) == tuple(want.shape):
            continue
        if case.spec["class"] == "MF" and got.dim() == 0:
            notes.append("squeeze() drops the batch axis when B == 1: the book returns outputs.flatten(), always (B,)")
        elif case.spec["class"] == "MF" and got.numel() == want.numel() ** 2:
            notes.append("a (B, 1) bias added to the (B,) dot products broadcasts to (B, B): squeeze the biases "
                         "first, b_u.squeeze(1) (the book's np.squeeze)")
        elif case.spec["class"] != "MF" and got.numel() == 1:
            notes.append("the book's MXNet BPRLoss sums with keepdims=True and keeps a length-1 axis; this course "
                         "returns a 0-d tensor, the sum over every pair (.sum() with no dim)")
        elif case.spec["class"] != "MF":
            notes.append("sum over every pair, to a 0-d tensor: .sum() with no dim")
    return notes


def _compare_module(expected, actual, case, device):
    found = driven.compare_module(expected, actual, case, device)
    notes = _shape_notes(expected, actual, case) if isinstance(actual, dict) else []
    if notes:
        found = [(check, message + "\nHint: " + notes[0] if " has shape " in message else message)
                 for check, message in found]
    return found


def _ids(gen, high, B):
    return torch.randint(high, (B,), generator=gen)


def _mf(prop, gen, k, users, items, batches, *, factors=1.0, biases=1.0, dtype=torch.float32):
    state = {"P.weight": torch.randn(users, k, generator=gen, dtype=dtype) * factors,
             "Q.weight": torch.randn(items, k, generator=gen, dtype=dtype) * factors,
             "user_bias.weight": torch.randn(users, 1, generator=gen, dtype=dtype) * biases,
             "item_bias.weight": torch.randn(items, 1, generator=gen, dtype=dtype) * biases}
    inputs = [_ids(gen, users, B) for B in batches]
    extras = [[_ids(gen, items, B)] for B in batches]
    spec = module_spec("MF", (k, users, items), {}, state, inputs, None, mode="train", dtype=dtype,
                       any_order=True, extra_args=extras)
    spec["grad_outputs"] = [None] * len(inputs)  # integer ids: the gradients are the steps case's
    shown = ", ".join(f"B={B}" for B in batches)
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=_compare_module, meta=False,
                checks=driven.MODULE_CHECKS, hint=HINTS[prop],
                requires=() if prop == "predicted ratings" else ("predicted ratings",),
                label=f"MF({k}, {users}, {items}) with the reference's weights, forward(user_id, item_id) with "
                      f"{shown}, {str(dtype)[6:]}")


def _mf_gradient_check(expected, actual, case, device):
    """Each embedding's gradient after out.sum().backward(), from the submission's own weights."""
    if device == "meta":
        return []
    if not isinstance(actual, list) or len(actual) != len(case.spec["steps"]):
        return [("result type", f"{case.label}: the steps did not come back as expected")]
    params = ((actual[-1].get("state") or {}).get("net") or {}) if isinstance(actual[-1], dict) else {}
    params = params.get("parameters") if isinstance(params, dict) else None
    if not isinstance(params, dict) or any(not isinstance(params.get(n), dict) for n in MF_NAMES):
        return [("registered parameters", f"{case.label}: MF has no parameters named {', '.join(MF_NAMES)}: build "
                 "self.P, self.Q, self.user_bias and self.item_bias as nn.Embedding layers")]
    users, items = (t.long() for t in case.spec["steps"][2]["args"])  # net(user_id, item_id)
    value = {n: params[n].get("value") for n in MF_NAMES}
    if any(not isinstance(v, SentTensor) for v in value.values()):
        return [("registered parameters", f"{case.label}: MF's parameters did not come back as tensors")]
    P, Q, bu, bi = (value[n].tensor.double() for n in MF_NAMES)
    want = {"P.weight": torch.zeros_like(P).index_add_(0, users, Q[items]),
            "Q.weight": torch.zeros_like(Q).index_add_(0, items, P[users]),
            "user_bias.weight": torch.zeros_like(bu).index_add_(0, users, torch.ones(len(users), 1, dtype=bu.dtype)),
            "item_bias.weight": torch.zeros_like(bi).index_add_(0, items, torch.ones(len(items), 1, dtype=bi.dtype))}
    for name in MF_NAMES:
        grad = params[name].get("grad")
        if not isinstance(grad, SentTensor):
            return [("gradients", f"{case.label}: no gradient reached {name} (cut off the graph with .detach(), "
                     f".data or torch.no_grad()?)\nHint: {HINTS['gradients']}")]
        if not close(grad.tensor, want[name], rtol=1e-4, atol=1e-4):
            return [("gradients", f"{case.label}: the gradient of {name} is wrong: expected "
                     f"{want[name].flatten().tolist()[:8]}..., got {grad.tensor.double().flatten().tolist()[:8]}... "
                     f"(rows used by several pairs add up their gradients)\nHint: {HINTS['gradients']}")]
    return []


def _mf_gradients(gen, k, users, items, B):
    user_id, item_id = _ids(gen, users, B), _ids(gen, items, B)
    user_id[1], item_id[2] = user_id[0], item_id[0]  # rows used twice: their gradients must accumulate
    steps = [{"call": "MF", "args": [k, users, items], "save": "net", "compare_output": False,
              "label": f"net = MF({k}, {users}, {items})"},
             {"call": {"ref": "net"}, "method": "to", "args": [{"ref": "device"}], "save": "net",
              "compare_output": False, "label": "net = net.to(device)"},
             {"call": {"ref": "net"}, "args": [user_id, item_id], "save": "out", "compare_output": False,
              "label": "out = net(user_id, item_id)"},
             {"backward": "out", "label": "out.sum().backward()"}]
    # "net" is watched from the start (None until the first step builds it): its parameters' values and
    # gradients after the backward pass come back.
    spec = {"driver": "steps", "env": {"net": None}, "build": {"device": {"build": "device"}}, "watch": ["net"],
            "steps": steps,
            "seed": int(torch.randint(2 ** 31, (1,), generator=gen))}
    return Case(property="gradients", args=(), kind="driver", spec=spec, compare=_mf_gradient_check, meta=False,
                requires=("predicted ratings",),
                label=f"MF({k}, {users}, {items}), out = net(user_id, item_id) with B={B}, then out.sum().backward()")


def _loss(prop, cls, gen, shape, *, margin=None, pos=None, neg=None, dtype=torch.float32):
    positive = pos if pos is not None else torch.randn(shape, generator=gen, dtype=dtype) * 2
    negative = neg if neg is not None else torch.randn(shape, generator=gen, dtype=dtype) * 2
    positive, negative = positive.to(dtype), negative.to(dtype)
    extra = [negative] if margin is None else [negative, margin]
    spec = module_spec(cls, (), {}, {}, [positive], torch.randn((), generator=gen, dtype=dtype), mode="train",
                       dtype=dtype, extra_args=[extra])
    call = "positive, negative" + ("" if margin is None else f", margin={margin}")
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=_compare_module, meta=False,
                checks=driven.MODULE_CHECKS, hint=HINTS[prop], grader_data={"pairs": positive.numel()},
                label=f"{cls}()({call}) on scores of shape {tuple(positive.shape)} {str(dtype)[6:]}")


def _loss_gradients(cls, gen, B, dtype=torch.float32):
    env = {"positive": torch.randn(B, generator=gen, dtype=dtype), "negative": torch.randn(B, generator=gen, dtype=dtype)}
    steps = [{"call": cls, "save": "loss", "compare_output": False, "label": f"loss = {cls}()"},
             {"call": {"ref": "loss"}, "args": [{"ref": "positive"}, {"ref": "negative"}], "save": "l",
              "label": "l = loss(positive, negative)"},
             {"backward": "l", "label": "l.backward()"}]
    spec = {"driver": "steps", "env": env, "leaves": ["positive", "negative"], "watch": ["positive", "negative"],
            "steps": steps}
    main = "BPR loss" if cls == "BPRLoss" else "hinge loss"
    return Case(property=main, args=(), kind="driver", spec=spec, compare=driven.compare_steps, meta=False,
                checks=("gradients",), hint=HINTS[main],
                label=f"{cls}() on positive and negative scores of shape ({B},) that require grad")


def make_cases(gen: torch.Generator) -> list[Case]:
    extreme_pos = torch.tensor([-1000.0, 1000.0, 0.5, -3.0])
    extreme_neg = torch.tensor([1000.0, -1000.0, 0.0, 2.0])
    return [
        _mf("predicted ratings", gen, 2, 3, 4, (1, 5)),
        _mf("predicted ratings", gen, 4, 6, 5, (8, 3), dtype=torch.float64),
        _mf("dot product of the factors", gen, 3, 4, 6, (6,), biases=0.0),
        _mf("user and item biases", gen, 3, 5, 4, (6,), factors=0.0, biases=2.0),
        _mf_gradients(gen, 3, 4, 5, 6),
        _loss("BPR loss", "BPRLoss", gen, (1,)),
        _loss("a sum over the pairs (not a mean)", "BPRLoss", gen, (6,)),
        _loss("BPR loss", "BPRLoss", gen, (5, 1), dtype=torch.float64),
        _loss("numerical stability", "BPRLoss", gen, (4,), pos=extreme_pos, neg=extreme_neg),
        _loss_gradients("BPRLoss", gen, 4),
        _loss("hinge loss", "HingeLossbRec", gen, (1,), margin=0.5),
        _loss("a sum over the pairs (not a mean)", "HingeLossbRec", gen, (6,), margin=2.0),
        _loss("the margin (default 1)", "HingeLossbRec", gen, (5,)),
        _loss("hinge loss", "HingeLossbRec", gen, (4, 1), margin=1.5, dtype=torch.float64),
        _loss("numerical stability", "HingeLossbRec", gen, (4,), pos=extreme_pos, neg=extreme_neg),
        _loss_gradients("HingeLossbRec", gen, 5),
    ]
