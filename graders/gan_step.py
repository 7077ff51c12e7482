"""Grader for gan_step (D2L 20.1): several consecutive training steps of a small GAN, compared with the
book's loop after every step (both losses, every parameter of D and G).

Each case is a `kind="driver"` spec for the standard `steps` driver: it builds the same nets, loss and
optimisers on both sides and calls gan_step once per (X, Z) batch, reporting both nets after each. Consecutive steps make leftover gradients show
(step 1 matches, step 2 does not); SGD makes a wrong loss scale show, Adam a wrong direction; float64
makes a float32 label show.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.compare import show
from d2lcoach.grading.training_steps import (differing_parameters, sent_kind, sequential_state, sequential_text,
                                              watched_steps)
from d2lcoach.sandbox.runtime.wire import SentTensor

_LOSS_CHECKS = ("discriminator loss", "generator loss")
_UPDATE_CHECKS = {"net_D": "discriminator update", "net_G": "generator update"}
_SHOW_LIMIT = 16  # show inputs and parameters with at most this many values

# The book's data (D2L 20.1.1): Gaussian samples pushed through X @ A + b.
_BOOK_A = torch.tensor([[1.0, 2.0], [-0.1, 0.5]])
_BOOK_B = torch.tensor([1.0, 2.0])


# --------------------------------------------------------------------------- building cases

def _gan_case(prop, gen, *, D, G, optimizer, lr_D, lr_G, batch, steps, dtype=torch.float32,
              book_data=False, what=""):
    X, Z = [], []
    for _ in range(steps):
        x = torch.randn(batch, 2, generator=gen, dtype=torch.float64)
        X.append(((x @ _BOOK_A.double() + _BOOK_B.double()) if book_data else x * 1.5).to(dtype))
        Z.append(torch.randn(batch, 2, generator=gen, dtype=torch.float64).to(dtype))
    dtype_name = str(dtype).replace("torch.", "")
    nets = {name: {"build": "sequential", "layers": layers, "state": sequential_state(layers, gen, dtype),
                   "dtype": dtype_name} for name, layers in (("net_D", D), ("net_G", G))}
    trainers = {f"trainer_{n}": {"build": "optimizer", "type": optimizer, "module": f"net_{n}",
                                 "options": {"lr": lr}} for n, lr in (("D", lr_D), ("G", lr_G))}
    refs = [{"ref": name} for name in ("net_D", "net_G", "loss", "trainer_D", "trainer_G")]
    spec = {"driver": "steps", "dtype": dtype_name,
            "build": {**nets, "loss": {"build": "loss", "type": "BCEWithLogitsLoss",
                                       "options": {"reduction": "sum"}}, **trainers},
            "watch": ["net_D", "net_G"], "count_backward": ["net_G"],
            "steps": [{"call": "gan_step", "args": [x, z, *refs]} for x, z in zip(X, Z)]}
    opt = "SGD" if optimizer == "sgd" else "Adam"
    label = (f"{steps} consecutive gan_step calls ({what + '; ' if what else ''}{opt}, lr_D={lr_D:g}, "
             f"lr_G={lr_G:g}; D = {sequential_text(D)}, G = {sequential_text(G)}; "
             f"loss = BCEWithLogitsLoss(reduction='sum'); X and Z of shape ({batch}, 2) "
             f"{spec['dtype']})")
    # meta stays on: it cannot check values (float(loss) needs them, which is not failed), but it
    # catches labels created on a hard-coded device without a GPU.
    checks = tuple(c for c in (*_LOSS_CHECKS, *_UPDATE_CHECKS.values(), _DETACH_CHECK) if c != prop)
    return Case(property=prop, args=(), kind="driver", spec=spec, label=label, compare=compare_steps,
                checks=checks)


def make_cases(gen: torch.Generator) -> list:
    small_D = [["linear", 2, 3], ["tanh"], ["linear", 3, 1]]
    mid_D = [["linear", 2, 5], ["tanh"], ["linear", 5, 1]]
    book_D = [["linear", 2, 5], ["tanh"], ["linear", 5, 3], ["tanh"], ["linear", 3, 1]]
    G = [["linear", 2, 2]]
    # compare_steps reports every check of every case by name; each case carries one of the four as its
    # property only so that a passing run lists all four (an exception in a case fails its property).
    cases = [
        # The smallest counterexample: plain SGD, large enough learning rates that every slip shows.
        _gan_case("discriminator loss", gen, D=small_D, G=G, optimizer="sgd", lr_D=0.1, lr_G=0.1,
                  batch=2, steps=3),
        _gan_case("generator loss", gen, D=mid_D, G=G, optimizer="sgd", lr_D=0.05, lr_G=0.05,
                  batch=4, steps=3),
        # The book's setup (D2L 20.1): its data, nets and learning rates.
        _gan_case("discriminator update", gen, D=book_D, G=G, optimizer="sgd", lr_D=0.05, lr_G=0.005,
                  batch=8, steps=4, book_data=True, what="the book's setup"),
        # Adam: the direction of every gradient matters, not only its scale.
        _gan_case("generator update", gen, D=mid_D, G=G, optimizer="adam", lr_D=0.05, lr_G=0.05,
                  batch=4, steps=3),
        # float64 end to end: labels must take X's dtype.
        _gan_case("generator update", gen, D=book_D, G=G, optimizer="adam", lr_D=0.05, lr_G=0.005,
                  batch=8, steps=4, dtype=torch.float64, book_data=True, what="float64, the book's data"),
    ]
    # One meta run (labels or nets moved to a hard-coded device) is enough; the rest cost time only.
    for case in cases[1:]:
        case.meta = False
    return cases


# --------------------------------------------------------------------------- comparing steps

def _losses_type_problem(losses) -> str | None:
    if type(losses) in (tuple, list) and len(losses) == 2 and all(type(v) is float for v in losses):
        return None
    if type(losses) in (tuple, list):
        inner = ", ".join(sent_kind(v) for v in losses[:4]) + (", ..." if len(losses) > 4 else "")
        return f"a {type(losses).__name__} of {len(losses)} ({inner})"
    return sent_kind(losses)


def _float32_sized(err: float, ref: float) -> bool:
    """A difference the size of float32 rounding: in a float64 case, something ran in float32."""
    return err <= 1e-6 + 1e-5 * abs(ref)


def _inputs(spec, k) -> str:
    X, Z = spec["steps"][k]["args"][:2]
    if X.numel() + Z.numel() > _SHOW_LIMIT:
        return ""
    return f"Inputs of step {k + 1}:\n  X = {show(X)}\n  Z = {show(Z)}"


def _upto(k: int) -> str:
    """'step 1' or 'steps 1 to k'."""
    return "step 1" if k == 1 else f"steps 1 to {k}"


def _cause(check: str, k: int, earlier_ok: bool, first_bad_step: int | None, loss_ok: bool | None = None) -> str:
    """The likely cause of the first difference of `check`, at step k+1.

    earlier_ok: everything this value depends on matched; loss_ok: for an update, whether the same
    step's loss of that network matched (None when the losses could not be compared)."""
    step = k + 1
    if not earlier_ok and first_bad_step == step:
        return ("D's update in this same step already differs (see the discriminator update check), and G "
                "is scored by the updated D, so this may only follow from that: fix D's update first.")
    if not earlier_ok:
        return (f"The parameters already differed after step {first_bad_step} (see the update checks), so "
                "this may only follow from that: fix the earliest difference first.")
    if check == "discriminator update":
        if step > 1:
            return (f"{_upto(step - 1).capitalize()} matched, so something carries over from one step to the "
                    "next: gradients left in D's parameters. Call trainer_D.zero_grad() before "
                    "loss_D.backward() in every step (the previous step's loss_G.backward() also leaves "
                    "gradients in D).")
        if loss_ok:
            return ("loss_D of this step is right, yet D's update is not, so D stepped with other gradients "
                    "than loss_D's: call loss_D.backward() and then trainer_D.step(), once each, and do not "
                    "run loss_G.backward() before trainer_D.step() (it adds gradients to D).")
        return ("D's very first update is wrong, so its loss or the order is: loss_D = (loss(net_D(X), ones) + "
                "loss(net_D(fake.detach()), zeros)) / 2 (real labelled 1, fake 0, the average of the two "
                "terms: the / 2 matters with SGD), with D updated first, on the fake batch of G as it was "
                "when the step began.")
    if check == "generator update":
        if step > 1:
            return (f"{_upto(step - 1).capitalize()} matched, so something carries over from one step to the "
                    "next: gradients left in G's parameters. Call trainer_G.zero_grad() before "
                    "loss_G.backward() in every step.")
        if loss_ok:
            return ("loss_G of this step is right, yet G's update is not, so G's gradients held more than "
                    "loss_G's when trainer_G.step() ran. Most likely D's loss reached G: the fake batch in "
                    "D's loss needs .detach() (clearing G's gradients before D's half does not undo that). "
                    "Call loss_G.backward() and then trainer_G.step(), once each.")
        return ("G's very first update is wrong: loss_G = loss(net_D(net_G(Z)), ones) - labels ones, scored "
                "by D as it is after trainer_D.step() (call net_D on the fake batch again after D's update), "
                "G updated after D, not before.")
    if check == "discriminator loss":
        return ("loss_D is the average of the two BCE terms, computed before D's update: "
                "(loss(net_D(X), ones) + loss(net_D(net_G(Z).detach()), zeros)) / 2, real data labelled 1 "
                "and the fake batch 0, the fake batch made by G as it was when the step began (D first, "
                "then G). Return that value, not a sum or a single term.")
    return ("loss_G = loss(net_D(net_G(Z)), ones): labels ones (G wants D to call its fakes real), scored by "
            "D as it is after trainer_D.step() - call net_D on the fake batch again after D's update rather "
            "than reusing an output computed before it. Return that value.")


_DETACH_CHECK = "no gradient into G from D's loss"


def _as_gan_steps(records):
    """The steps driver's records as {losses, params, G_backward_passes} per step (None if malformed)."""
    steps = watched_steps(records, ("net_D", "net_G"), counted="net_G")
    if steps is None:
        return None
    return [{"losses": s["output"], "params": s["params"], "G_backward_passes": s["backward_passes"]} for s in steps]


def compare_steps(expected, actual, case, device) -> list[tuple[str, str]]:
    """Per step: the result type, both losses, then every parameter of D and G; first difference per check."""
    expected, actual = _as_gan_steps(expected), _as_gan_steps(actual)
    spec = case.spec
    dtype = getattr(torch, spec["dtype"])
    rtol, atol = case.tolerances(dtype)
    label = case.label
    n = len(expected)
    if not isinstance(actual, list) or len(actual) != n or not all(
            isinstance(s, dict) and isinstance(s.get("params"), dict) for s in actual):
        return [("result type", f"{label}: the steps did not come back as expected ({sent_kind(actual)})")]
    found: dict[str, str] = {}
    # Result type: a tuple (or list) of exactly two Python floats, every step.
    for k, step in enumerate(actual):
        got = _losses_type_problem(step.get("losses"))
        if got is not None:
            found["result type"] = (f"{label}: step {k + 1} returned {got}; gan_step must return "
                                    "(loss_D, loss_G) as two Python floats: return loss_D.item(), "
                                    "loss_G.item()")
            break
    # Parameters are compared whatever the losses' type: the updates are a separate property.
    for k, step in enumerate(actual):
        for name, a in step["params"].items():
            if isinstance(a, SentTensor) and a.device.split(":")[0] != device:
                found["device"] = (f"{label}: after step {k + 1}, {name} is on {a.device}, but the nets "
                                   f"were on {device}; do not move the networks")
                break
        if "device" in found:
            break
    if device == "meta":
        return list(found.items())
    # Contract: no gradient reaches G in D's half. The runtime counts backward passes into G per step.
    for k, (want, got) in enumerate(zip(expected, actual)):
        passes, allowed = got.get("G_backward_passes"), want.get("G_backward_passes")
        if isinstance(passes, int) and isinstance(allowed, int) and passes > allowed:
            found[_DETACH_CHECK] = (
                f"{label}: in step {k + 1}, {passes} backward passes reached G's parameters; only "
                f"{allowed} should (loss_G's). The discriminator's loss sends gradients into G: "
                "score the fake batch with net_D(fake.detach()) in D's half (D2L 20.1's update_D)")
            break
    bad = [differing_parameters(want["params"], got["params"], rtol, atol) for want, got in zip(expected, actual)]
    # float64 case: differences of float32 size mean part of the step ran in float32 (the labels).
    if dtype == torch.float64:
        small = []
        for k, (want, got) in enumerate(zip(expected, actual)):
            if "result type" not in found:
                for i, name in enumerate(("loss_D", "loss_G")):
                    e, a = float(want["losses"][i]), got["losses"][i]
                    if not abs(a - e) <= atol + rtol * abs(e):
                        small.append((k, name, e, a, _float32_sized(abs(a - e), e)))
            for pname, m in bad[k].items():
                small.append((k, pname, None, m, m is not None and _float32_sized(m.abs_error, m.expected)))
        if small and all(s[4] for s in small):
            k, name, e, a, _ = small[0]
            what = (f"step {k + 1} returned {name} = {a!r}, expected {e!r}" if e is not None
                    else f"after step {k + 1}, {name} differs: {a.describe()}")
            return list(found.items()) + [("dtype", (
                f"{label}: {what}. That is right only to float32 precision, so part of the "
                "step ran in float32. Create the labels with X's dtype (torch.ones_like(net_D(X)), or "
                "dtype=X.dtype): torch.ones(shape) is float32 and makes BCEWithLogitsLoss compute a "
                "float32 loss."))]

    def first_bad(upto: int, prefix: str = "") -> int | None:
        """The first step (1-based) among the first `upto` after which a parameter (of `prefix`) differed."""
        for j in range(upto):
            if any(p.startswith(prefix) for p in bad[j]):
                return j + 1
        return None

    # The losses of each step: loss_ok[i][k] says whether loss i of step k matched (None: not comparable).
    loss_ok = [[None] * n, [None] * n]
    if "result type" not in found:
        for i in range(2):
            for k, (want, got) in enumerate(zip(expected, actual)):
                e, a = float(want["losses"][i]), got["losses"][i]
                loss_ok[i][k] = abs(a - e) <= atol + rtol * abs(e) or (a != a and e != e)
        for i, check in enumerate(_LOSS_CHECKS):
            name = "loss_D" if i == 0 else "loss_G"
            for k, (want, got) in enumerate(zip(expected, actual)):
                if loss_ok[i][k]:
                    continue
                e, a = float(want["losses"][i]), got["losses"][i]
                # loss_D of step k reads the nets after step k-1; loss_G also D after step k.
                earlier = first_bad(k)
                if earlier is None and i == 1 and first_bad(k + 1, "net_D") is not None:
                    earlier = k + 1
                msg = [f"{label}: {name} of step {k + 1} is {a:.6g}, expected {e:.6g}"
                       + (f" ({_upto(k)} matched)" if k and earlier is None else "") + "."]
                inputs = _inputs(spec, k)
                if inputs:
                    msg.append(inputs)
                msg.append("Likely cause: " + _cause(check, k, earlier is None, earlier))
                found[check] = "\n".join(msg)
                break
    # Every parameter after each step: the first step and the first parameter that differ.
    for prefix, check in _UPDATE_CHECKS.items():
        for k, (want, got) in enumerate(zip(expected, actual)):
            names = [p for p in want["params"] if p.startswith(prefix + ".") and p in bad[k]]
            if not names:
                continue
            pname = names[0]
            mismatch = bad[k][pname]
            if mismatch is None:
                found[check] = (f"{label}: after step {k + 1}, {pname} is missing or has the wrong shape; "
                                "update the networks' own parameters with the optimisers, do not replace them")
                break
            # D after step k reads the nets after step k-1; G after step k also D after step k.
            earlier = first_bad(k)
            if earlier is None and prefix == "net_G" and first_bad(k + 1, "net_D") is not None:
                earlier = k + 1
            msg = [f"{label}: after step {k + 1} of {n}, {pname} is wrong"
                   + (f" (after {_upto(k)} every parameter matched)" if k and earlier is None else "")
                   + f". {mismatch.describe()}."]
            if len(names) > 1:
                msg.append("Also wrong after this step: " + ", ".join(names[1:]) + ".")
            e, a = want["params"][pname], got["params"][pname].tensor
            if e.numel() <= _SHOW_LIMIT:
                msg.append(f"Expected {pname} = {show(e)}")
                msg.append(f"Got      {pname} = {show(a)}")
            inputs = _inputs(spec, k)
            if inputs:
                msg.append(inputs)
            same_loss = loss_ok[0 if prefix == "net_D" else 1][k]
            msg.append("Likely cause: " + _cause(check, k, earlier is None, earlier, same_loss))
            found[check] = "\n".join(msg)
            break
    return list(found.items())
