"""Grader for dropout (D2L 5.6 and 3.7): dropout_layer by statistics over many elements and calls (the
`repeat` driver), each statistical check failing a correct solution with probability at most 1e-9;
structural checks (kept values scaled exactly, a fresh mask per call, the gradient is the mask over
1 - dropout, no in-place change, dropout 0 and 1); l2_penalty as a plain call."""

from __future__ import annotations

import torch

from d2lcoach.grading import stats
from d2lcoach.grading.case import Case
from d2lcoach.grading.engine import compare_output
from d2lcoach.sandbox.runtime.wire import SentTensor

STAT_CHECKS = ("keep probability", "fresh mask every call", "independent elements", "kept values scaled")


def _X(gen, shape, dtype):
    """No element is 0 (or close): a dropped element is then exactly the zeros of the output."""
    X = torch.randn(shape, generator=gen, dtype=dtype)
    return X + torch.sign(X) * 0.25


def _seed(gen) -> int:
    return int(torch.randint(2**31 - 1, (), generator=gen))


def _repeat_case(prop, gen, X, p, times, checks, grad=False, meta=False):
    spec = {"driver": "repeat", "function": "dropout_layer", "args": [X, p], "times": times, "seed": _seed(gen),
            "p": p}
    if grad:
        spec.update(grad=[0], grad_outputs=[torch.randn(X.shape, generator=gen, dtype=X.dtype)])
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=compare_dropout, meta=meta,
                checks=tuple(c for c in checks if c != prop), function="dropout_layer",
                label=f"{times} calls of dropout_layer(X, dropout={p:g}) on the same X of shape "
                      f"{tuple(X.shape)} {str(X.dtype)[6:]}")


def _l2(gen, shape, dtype):
    w = torch.randn(shape, generator=gen, dtype=dtype)
    return Case(property="l2_penalty", args=(w,), function="l2_penalty", names=("w",), label="l2_penalty(w)",
                grad=((0,),), grad_outputs=[torch.randn((), generator=gen, dtype=dtype)],
                hint="torch.sum(w ** 2) / 2: one number for the whole tensor (D2L 3.7)")


def make_cases(gen: torch.Generator) -> list[Case]:
    f32, f64 = torch.float32, torch.float64
    cases = [_l2(gen, (3, 1), f32), _l2(gen, (4, 5), f32), _l2(gen, (6,), f64)]
    cases.append(_repeat_case("dropout == 0", gen, _X(gen, (3, 4), f32), 0.0, 1, ()))
    cases.append(_repeat_case("dropout == 1", gen, _X(gen, (3, 4), f32), 1.0, 1, ()))
    cases.append(_repeat_case("gradients", gen, _X(gen, (8, 10), f32), 0.5, 2, (), grad=True))
    for p, dtype in ((0.2, f32), (0.5, f32), (0.7, f64)):
        cases.append(_repeat_case("keep probability", gen, _X(gen, (100, 200), dtype), p, 2, STAT_CHECKS))
    # one small meta run: a mask made on a hard-coded device fails there without a GPU
    cases.append(_repeat_case("keep probability", gen, _X(gen, (4, 6), f32), 0.5, 1, (), meta=True))
    cases[-1].devices = ("meta",)
    return cases


# --------------------------------------------------------------------------- the parent's statistics

def _outside(count: int, n: int, q: float) -> str | None:
    """None when `count` ~ Binomial(n, q) lies in its 1e-9 acceptance range, else that range, stated."""
    lo, hi = stats.binomial_acceptance(n, q)
    if lo <= count <= hi:
        return None
    risk = stats.binomial_false_failure(n, q, lo, hi)
    return f"[{lo}, {hi}] (a correct dropout falls outside with probability below {risk:.0e})"


def compare_dropout(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    spec = case.spec
    X, p, call = spec["args"][0], spec["p"], case.label
    if not isinstance(actual, dict) or type(actual.get("outputs")) is not list or \
            len(actual["outputs"]) != spec["times"]:
        return [("result type", f"{call}: the calls did not come back as expected")]
    found = []
    for i, out in enumerate(actual["outputs"]):
        found += [f for f in compare_output(expected["outputs"][0], out, case, device, f"the result of call {i + 1}")
                  if f[0] != case.property]
    if any(changed for changed in actual.get("changed") or []):
        found.append(("no mutation", f"{call}: a call changed X in place; compute a new tensor instead"))
    if found or device == "meta":
        return found
    outs = [o.tensor.to(torch.float64) for o in actual["outputs"]]
    X64 = X.to(torch.float64)
    if p in (0.0, 1.0):
        want = X64 if p == 0.0 else torch.zeros_like(X64)
        if not torch.allclose(outs[0], want, rtol=1e-6, atol=0):
            what = "X itself" if p == 0.0 else "zeros shaped like X"
            return [(case.property, f"{call}: with dropout={p:g} the result must be {what}")]
        return []
    kept = [o != 0 for o in outs]
    scale = 1.0 / (1.0 - p)
    rtol = 1e-5 if X.dtype == torch.float32 else 1e-12
    for i, (o, k) in enumerate(zip(outs, kept)):
        bad = k & ~torch.isclose(o, X64 * scale, rtol=rtol, atol=0)
        if bool(bad.any()):
            j = int(bad.flatten().nonzero()[0])
            found.append(("kept values scaled", f"{call}: call {i + 1} kept element {j} as {float(o.flatten()[j]):.6g}, "
                          f"expected X * 1 / (1 - dropout) = {float(X64.flatten()[j] * scale):.6g}; every kept "
                          "element is scaled by 1 / (1 - dropout), every dropped one is 0"))
            break
    if case.property == "gradients":
        return found + _compare_grads(actual, kept, spec, scale, call)
    n = X.numel()
    if all(bool(k.all()) for k in kept):
        return found + [("keep probability", f"{call}: every element was kept: the result is X (scaled) with "
                         "no element dropped; draw a random mask and zero the elements it drops")]
    for i, k in enumerate(kept):
        miss = _outside(int(k.sum()), n, 1 - p)
        if miss:
            found.append(("keep probability", f"{call}: call {i + 1} kept {int(k.sum())} of {n} elements; with "
                          f"dropout={p:g} each is kept with probability {1 - p:g}, so the count lies in {miss}. "
                          "Keep an element when torch.rand(...) > dropout"))
            break
    q = p * p + (1 - p) * (1 - p)  # two independent masks agree on an element with this probability
    agree = int((kept[0] == kept[-1]).sum())
    miss = _outside(agree, n, q) if len(kept) > 1 else None
    if miss:
        found.append(("fresh mask every call", f"{call}: the masks of calls 1 and 2 agree on {agree} of {n} "
                      f"elements; independent masks agree on {miss}. Draw a new random mask on every call "
                      "(no fixed seed, no mask saved between calls)"))
    flat = kept[0].flatten()
    for lag in _lags(X.shape):
        # disjoint pairs (j, j + lag): a mask that repeats itself at this distance agrees on too many
        first = torch.arange(n)
        first = first[(first // lag) % 2 == 0]
        first = first[first + lag < n]
        agree = int((flat[first] == flat[first + lag]).sum())
        miss = _outside(agree, first.numel(), q)
        if miss:
            found.append(("independent elements", f"{call}: the mask of call 1 agrees on {agree} of "
                          f"{first.numel()} pairs of elements {lag} apart (in X's flattened order); independent "
                          f"elements agree on {miss}. Draw one random number per element of X "
                          "(torch.rand(X.shape)), not one per row, column or group of elements"))
            break
    return found


def _lags(shape) -> list[int]:
    """The distances at which a mask of `shape` is checked for repeating itself: every power of two (a
    number shared by neighbours, pairs, blocks), each dimension's stride (a number per row or column)
    and half the elements (a mask drawn for half of X and repeated)."""
    n = 1
    strides = []
    for size in reversed(shape):
        strides.append(n)
        n *= size
    lags = {1 << k for k in range(n.bit_length()) if 1 << k <= n // 2} | set(strides) | {n // 2}
    return sorted(lag for lag in lags if 1 <= lag <= n // 2)


def _compare_grads(actual, kept, spec, scale, call) -> list[tuple[str, str]]:
    G = spec["grad_outputs"][0].to(torch.float64)
    for i, (grads, k) in enumerate(zip(actual.get("grads") or [], kept)):
        if isinstance(grads, str):
            return [("gradients", f"{call}: no gradient could flow back to X in call {i + 1}: {grads[:200]}")]
        got = grads[0] if isinstance(grads, list) and grads else None
        if not isinstance(got, SentTensor):
            return [("gradients", f"{call}: no gradient reached X in call {i + 1} (cut off the graph?)")]
        want = G * k.to(torch.float64) * scale
        if not torch.allclose(got.tensor.to(torch.float64), want, rtol=1e-5, atol=1e-6):
            return [("gradients", f"{call}: in call {i + 1} the gradient with respect to X is not the upstream "
                     "gradient times mask / (1 - dropout) for that call's own mask (D2L 5.6)")]
    if len(actual.get("grads") or []) != spec["times"]:
        return [("gradients", f"{call}: no gradients came back")]
    return []
