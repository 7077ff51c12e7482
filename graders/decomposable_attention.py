"""Grader for decomposable_attention (D2L 16.5): the `module` driver builds the book's `mlp` helper, `Attend` and
`Compare` with their arguments, loads the reference's weights by the book's attribute names (f, g and the
Sequential's indices) and checks the outputs after .eval() (dropout off); `beta` and `alpha`, Attend's two outputs,
are judged as separate properties. Diagnoses name the usual slips (a softmax over the wrong axis, beta and alpha
swapped, f left out, the concatenation's order or axis, Flatten in the wrong place)."""

from __future__ import annotations

import re

import torch
from torch.nn import functional as F

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis
from d2lcoach.grading.layer_state import linear_state, module_spec
from d2lcoach.sandbox.runtime.wire import SentTensor

#: Two small linear layers, a softmax and a batched product: another summation order differs by a few 1e-7;
#: every bug below moves a value by O(0.1).
TOLERANCE = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-9, 1e-11)}

HINTS = {
    "mlp": "mlp(num_inputs, num_hiddens, flatten) is nn.Sequential(nn.Dropout(0.2), nn.Linear(num_inputs, "
           "num_hiddens), nn.ReLU(), nn.Dropout(0.2), nn.Linear(num_hiddens, num_hiddens), nn.ReLU()) when flatten "
           "is False: the grader loads the weights by the Sequential's indices, 1.weight and 4.weight (D2L 16.5)",
    "mlp flatten": "with flatten=True the book appends nn.Flatten(start_dim=1) after each ReLU: Dropout, Linear, "
                   "ReLU, Flatten, Dropout, Linear, ReLU, Flatten, so the second Linear is index 5 (D2L 16.5)",
    "beta": "e = torch.bmm(f_A, f_B.permute(0, 2, 1)), shape (batch, m, n); beta = torch.bmm(F.softmax(e, dim=-1), "
            "B): each token of A gets a weighted average of B's tokens, the softmax over B's tokens, the last axis "
            "of e (D2L 16.5)",
    "alpha": "alpha = torch.bmm(F.softmax(e.permute(0, 2, 1), dim=-1), A): each token of B gets a weighted average "
             "of A's tokens, the softmax over A's tokens (axis 1 of e, the last axis of its transpose) (D2L 16.5)",
    "Compare": "V_A = self.g(torch.cat([A, beta], dim=2)) and V_B = self.g(torch.cat([B, alpha], dim=2)): each "
               "token beside its aligned vector, on the feature axis, and one mlp g for both (D2L 16.5)",
}


# ----------------------------------------------------------------------------- comparing


def _pick(record, k):
    """A copy of a driver record whose outputs are the k-th of each pair (other values left as they are)."""
    if not isinstance(record, dict):
        return record

    def one(out):
        return out[k] if isinstance(out, (tuple, list)) and len(out) == 2 else out
    picked = dict(record)
    if isinstance(record.get("forward"), list):
        picked["forward"] = [{**r, "output": one(r.get("output"))} if isinstance(r, dict) else r
                             for r in record["forward"]]
    for stage in ("float64", "round_trip"):
        if isinstance(record.get(stage), dict) and "output" in record[stage]:
            picked[stage] = {**record[stage], "output": one(record[stage]["output"])}
    return picked


def _compare(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """compare_module on the output the case's property judges (beta or alpha for Attend), with a wrong shape
    and weights that cannot be loaded counted against the property too: the shapes are lines of the contract."""
    k = case.spec.get("pick")
    if k is not None:
        expected, actual = _pick(expected, k), _pick(actual, k)
    found = []
    for check, message in driven.compare_module(expected, actual, case, device):
        if check == "shape":
            check, message = case.property, f"{message}\nHint: {case.hint}"
        found.append((check, message))
    if isinstance(actual, dict) and actual.get("load_error") is not None:
        found.append((case.property, f"{case.label}: its outputs could not be checked, because the reference's "
                      f"{str(actual['load_error'])[:100]} does not fit the module (see registered parameters)"))
    if any(check == case.property for check, _ in found):
        # Outputs already wrong in float32 are wrong again after .to(torch.float64) and after the round trip:
        # that is this property's failure, not those checks' (their own findings, dtypes and keys, stay).
        found = [(check, message) for check, message in found
                 if not (check in ("float64", "state_dict round trip") and ", then the output for input 1" in message)]
    return found


# ----------------------------------------------------------------------------- cases


def _mlp_state(gen, prefix, n_in, n_hidden, flatten):
    second = 5 if flatten else 4
    return {**linear_state(gen, f"{prefix}1", n_hidden, n_in, torch.float32),
            **linear_state(gen, f"{prefix}{second}", n_hidden, n_hidden, torch.float32)}


def _case(gen, prop, cls, args, state, inputs, extras, *, pick=None, meta=False, grad_shape=None, what=""):
    spec = module_spec(cls, args, {}, state, inputs, None, mode="eval", dtype=torch.float32,
                       extra_args=extras)
    if grad_shape is not None:  # mlp returns one tensor: its gradients are checked
        spec["grad_outputs"] = [torch.randn(*grad_shape, generator=gen)] + [None] * (len(inputs) - 1)
    if pick is not None:
        spec["pick"] = pick
    shown = ", ".join(map(str, args))
    shapes = " and ".join(str(tuple(t.shape)) for t in [inputs[0], *extras[0]])
    requires = () if prop in ("mlp", "mlp flatten") else ("registered parameters",)
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=_compare, checks=driven.MODULE_CHECKS,
                meta=meta, hint=HINTS[prop], tolerance=TOLERANCE, requires=requires,
                label=f"{cls}({shown}) after .eval(), with the reference's weights, on inputs of shapes "
                      f"{shapes}{what}")


def _mlp(gen, prop, n_in, n_hidden, flatten, shapes, meta=False):
    state = _mlp_state(gen, "", n_in, n_hidden, flatten)
    inputs = [torch.randn(*s, generator=gen) for s in shapes]
    out = (shapes[0][0], n_hidden) if flatten else (*shapes[0][:-1], n_hidden)
    return _case(gen, prop, "mlp", (n_in, n_hidden, flatten), state, inputs, [[] for _ in shapes], meta=meta,
                 grad_shape=out)


def _attend(gen, b, m, n, d, h, meta=False, pairs=1):
    state = _mlp_state(gen, "f.", d, h, False)
    inputs, extras = [], []
    for _ in range(pairs):
        inputs.append(torch.randn(b, m, d, generator=gen))
        extras.append([torch.randn(b, n, d, generator=gen)])
    cases = []
    for k, prop in enumerate(("beta", "alpha")):
        what = ("; beta, its first output, of shape " if k == 0 else "; alpha, its second output, of shape ") + \
               str((b, m, d) if k == 0 else (b, n, d))
        cases.append(_case(gen, prop, "Attend", (d, h), state, inputs, extras, pick=k, meta=meta, what=what))
    return cases


def _compare_case(gen, b, m, n, d, h, meta=False):
    state = _mlp_state(gen, "g.", 2 * d, h, False)
    A, B = torch.randn(b, m, d, generator=gen), torch.randn(b, n, d, generator=gen)
    beta, alpha = torch.randn(b, m, d, generator=gen), torch.randn(b, n, d, generator=gen)
    return _case(gen, "Compare", "Compare", (2 * d, h), state, [A], [[B, beta, alpha]], meta=meta,
                 what=" (A, B, beta, alpha)")


def _dropout_p(text):
    found = re.match(r"p=([0-9.eE+-]+)", text) if isinstance(text, str) else None
    return float(found.group(1)) if found else None


def _compare_dropout(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """The probability of each of mlp's two Dropout layers, read from the layer's own extra_repr()."""
    if type(actual) is not list or len(actual) != len(expected):
        return [("result type", f"{case.label}: the layers could not be read back")]
    found = []
    for k in (2, 4):
        want, got = _dropout_p(expected[k].get("output")), _dropout_p((actual[k] or {}).get("output"))
        index = case.spec["steps"][k - 1]["args"][0]
        if got != want:
            shown = "not a Dropout layer" if got is None else f"Dropout(p={got})"
            found.append((case.property, f"{case.label}: layer {index} is {shown}, expected nn.Dropout({want}): "
                          f"the book's mlp drops with probability 0.2 before each Linear (grading runs after "
                          f".eval(), so only the layer itself shows it)\nHint: {case.hint}"))
    return found


def _dropout_case(flatten):
    second = 4 if flatten else 3
    steps = [{"call": "mlp", "args": [3, 4, flatten], "save": "net"}]
    for k, index in enumerate((0, second)):
        steps += [{"call": {"ref": "net"}, "method": "__getitem__", "args": [index], "save": f"d{k}"},
                  {"call": {"ref": f"d{k}"}, "method": "extra_repr"}]
    return Case(property="mlp flatten" if flatten else "mlp", args=(), kind="driver",
                spec={"driver": "steps", "steps": steps}, compare=_compare_dropout, meta=False,
                hint=HINTS["mlp flatten" if flatten else "mlp"],
                label=f"mlp(3, 4, {flatten}): its Dropout layers {0} and {second}")


# ----------------------------------------------------------------------------- diagnoses


def _tensor(x):
    x = x.tensor if isinstance(x, SentTensor) else x
    return x.double() if isinstance(x, torch.Tensor) else None


def _pair(record):
    """The first forward's output pair of a driver record, as float64 tensors (or None)."""
    try:
        out = record["forward"][0]["output"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return None
    pair = [_tensor(t) for t in out]
    return pair if all(t is not None for t in pair) else None


def _g(state, prefix, X):
    """The reference mlp in eval mode, in float64: relu(W2 relu(W1 X + b1) + b2)."""
    X = torch.relu(F.linear(X, state[f"{prefix}1.weight"].double(), state[f"{prefix}1.bias"].double()))
    return torch.relu(F.linear(X, state[f"{prefix}4.weight"].double(), state[f"{prefix}4.bias"].double()))


def _attend_variants(case):
    """What the usual slips of Attend give on the case's first inputs, by name: (beta, alpha) pairs."""
    state, A, B = case.spec["state"], case.spec["inputs"][0].double(), case.spec["extra_args"][0][0].double()
    fA, fB = _g(state, "f.", A), _g(state, "f.", B)
    e = fA @ fB.transpose(1, 2)
    right = (e.softmax(-1) @ B, e.transpose(1, 2).softmax(-1) @ A)
    variants = {"axis": (e.softmax(1) @ B, e.transpose(1, 2).softmax(1) @ A),
                "batch axis": (e.softmax(0) @ B, e.transpose(1, 2).softmax(0) @ A),
                "swapped": (right[1], right[0])}
    if fA.shape[-1] == A.shape[-1]:  # f left out on one side still multiplies when num_hiddens == embed_size
        for name, ee in (("no f", A @ B.transpose(1, 2)), ("f on A only", fA @ B.transpose(1, 2)),
                         ("f on B only", A @ fB.transpose(1, 2))):
            variants[name] = (ee.softmax(-1) @ B, ee.transpose(1, 2).softmax(-1) @ A)
    else:
        ee = A @ B.transpose(1, 2)
        variants["no f"] = (ee.softmax(-1) @ B, ee.transpose(1, 2).softmax(-1) @ A)
    return variants


def _matches(t, want):
    return t is not None and tuple(t.shape) == tuple(want.shape) and bool(torch.allclose(t, want, rtol=1e-3,
                                                                                           atol=1e-4))


def _attend_is(name):
    def when(expected, actual, case):
        if case.spec.get("class") != "Attend":
            return False
        got = _pair(actual)
        variant = _attend_variants(case).get(name)
        if got is None or variant is None:
            return False
        k = case.spec["pick"]
        return _matches(got[k], variant[k]) and not _matches(got[k], _pair(expected)[k])
    return when


def _load_error(expected, actual, case):
    """The reference's weights did not load: (the name that failed, the submission's parameter names)."""
    if not isinstance(actual, dict) or actual.get("load_error") is None:
        return None, []
    names = [p[0] for p in actual.get("parameters") or [] if isinstance(p, (list, tuple)) and p]
    return str(actual["load_error"]), names


def _flatten_misplaced(expected, actual, case):
    failed, names = _load_error(expected, actual, case)
    return case.spec.get("class") == "mlp" and failed == "5.weight" and "4.weight" in names


def _layers_misplaced(expected, actual, case):
    failed, names = _load_error(expected, actual, case)
    return failed is not None and not _flatten_misplaced(expected, actual, case)


def _compare_is(order):
    """Compare's V_A equals g of the concatenation in another order ([beta, A])."""
    def when(expected, actual, case):
        if case.spec.get("class") != "Compare":
            return False
        got = _pair(actual)
        if got is None:
            return False
        state = case.spec["state"]
        A, (B, beta, alpha) = case.spec["inputs"][0].double(), [t.double() for t in case.spec["extra_args"][0]]
        if order == "reversed":
            want = (_g(state, "g.", torch.cat([beta, A], 2)), _g(state, "g.", torch.cat([alpha, B], 2)))
        else:  # beta and alpha exchanged between the two calls: shapes agree only when m == n
            want = (_g(state, "g.", torch.cat([A, alpha], 2)), _g(state, "g.", torch.cat([B, beta], 2)))
        return any(_matches(g, w) for g, w in zip(got, want))
    return when


DIAGNOSES = (
    Diagnosis(hint="the course follows the PyTorch code of D2L 16.5 (English edition; d2l-zh prints the same): "
                   "mlp(num_inputs, num_hiddens, flatten) with nn.Linear(num_inputs, num_hiddens). Yours follows the "
                   "MXNet tab's mlp(num_hiddens, flatten), where Gluon's nn.Dense infers its input size (in PyTorch "
                   "a lazy nn.LazyLinear): the grader calls mlp(num_inputs, num_hiddens, flatten) and loads the "
                   "reference's weights before the first call",
              error=r"takes 2 positional arguments but 3 were given|uninitiali[sz]ed parameter|"
                    r"mlp\(\) missing 1 required positional argument"),
    Diagnosis(hint="yours takes the softmax over the wrong axis: beta = softmax(e, dim=-1) @ B normalises over B's "
                   "tokens (each row of e sums to one), and alpha = softmax(e.permute(0, 2, 1), dim=-1) @ A over A's "
                   "tokens; dim=1 normalises over the other sequence", when=_attend_is("axis"),
              properties=("beta", "alpha")),
    Diagnosis(hint="yours calls F.softmax without dim: for a 3-D tensor torch then normalises over dim=0, the batch "
                   "axis (with a warning). Name the axis: F.softmax(e, dim=-1) for beta, "
                   "F.softmax(e.permute(0, 2, 1), dim=-1) for alpha", when=_attend_is("batch axis"),
              properties=("beta", "alpha")),
    Diagnosis(hint="yours returns (alpha, beta): Attend returns beta first (B softly aligned to each token of A, "
                   "shape (batch, m, embed_size)), then alpha (A aligned to each token of B, shape "
                   "(batch, n, embed_size))", when=_attend_is("swapped"), properties=("beta", "alpha")),
    Diagnosis(hint="yours computes e without f: the decomposition applies the mlp f to each sequence separately, "
                   "f_A = self.f(A), f_B = self.f(B), then e = torch.bmm(f_A, f_B.permute(0, 2, 1))",
              when=_attend_is("no f"), properties=("beta", "alpha")),
    Diagnosis(hint="yours applies f to one side only: e = f(A) f(B)^T needs both, f_A = self.f(A) and "
                   "f_B = self.f(B)", when=lambda *a: _attend_is("f on A only")(*a) or _attend_is("f on B only")(*a),
              properties=("beta", "alpha")),
    Diagnosis(hint="e = f(A) f(B)^T has shape (batch, m, n): torch.bmm(f_A, f_B.permute(0, 2, 1)) with f applied to "
                   "both sides, f_A = self.f(A) and f_B = self.f(B) (B itself has embed_size features, f_B "
                   "num_hiddens), and f_B's last two axes exchanged (not f_A's, and not f_B.T, which reverses all "
                   "three axes); then beta = softmax(e) @ B and alpha = softmax(e^T) @ A",
              error=r"Expected size for first two dimensions of batch2 tensor|batch1 and batch2|"
                    r"Batch dimensions of both tensors must be equal|must match the size of tensor b",
              properties=("beta", "alpha")),
    Diagnosis(hint="yours concatenates in the other order: the book's Compare puts the token first, "
                   "torch.cat([A, beta], dim=2) and torch.cat([B, alpha], dim=2)", when=_compare_is("reversed"),
              properties=("Compare",)),
    Diagnosis(hint="yours pairs A with alpha and B with beta: A's tokens are compared with beta (B aligned to A, "
                   "shape (batch, m, embed_size)), B's with alpha", when=_compare_is("crossed"),
              properties=("Compare",)),
    Diagnosis(hint="yours pairs A with alpha or B with beta: A's tokens go with beta (B aligned to A, shape "
                   "(batch, m, embed_size)), B's with alpha (batch, n, embed_size): torch.cat([A, beta], dim=2), "
                   "torch.cat([B, alpha], dim=2)", error=r"Sizes of tensors must match except in dimension 2",
              properties=("Compare",)),
    Diagnosis(hint="Compare concatenates on the feature axis, torch.cat([A, beta], dim=2): g = mlp(num_inputs, ...) "
                   "expects num_inputs = 2 * embed_size features per token; dim=1 stacks the tokens instead",
              error=r"mat1 and mat2 shapes cannot be multiplied", properties=("Compare",)),
    Diagnosis(hint="mlp(num_inputs, num_hiddens, flatten): the first nn.Linear maps num_inputs to num_hiddens, the "
                   "second num_hiddens to num_hiddens; Flatten(start_dim=1) follows each ReLU only when flatten is "
                   "True", error=r"mat1 and mat2 shapes cannot be multiplied", properties=("mlp", "mlp flatten")),
    Diagnosis(hint="with flatten=True the book appends nn.Flatten(start_dim=1) after each ReLU, so the layers are "
                   "Dropout, Linear, ReLU, Flatten, Dropout, Linear (index 5), ReLU, Flatten; yours has its second "
                   "Linear at index 4 (one Flatten at the end, or none)", when=_flatten_misplaced,
              properties=("mlp flatten",)),
    Diagnosis(hint="the grader loads the reference's weights by the Sequential's indices: keep the book's layers in "
                   "its order, nn.Dropout(0.2) at 0, nn.Linear at 1, nn.ReLU at 2, nn.Dropout(0.2) at 3, nn.Linear "
                   "at 4, nn.ReLU at 5 (with flatten=True a Flatten after each ReLU), and the attributes f and g",
              when=_layers_misplaced),
)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        # mlp: the smallest first; a 2-D and a 3-D input (Linear acts on the last axis).
        _mlp(gen, "mlp", 3, 4, False, [(2, 3), (2, 3, 3)], meta=True),
        _mlp(gen, "mlp", 5, 3, False, [(2, 4, 5)]),
        _dropout_case(False),
        # mlp with flatten: (N, d) and (N, 1, d) inputs both give (N, num_hiddens).
        _mlp(gen, "mlp flatten", 3, 4, True, [(2, 3), (3, 1, 3)], meta=True),
        _mlp(gen, "mlp flatten", 4, 5, True, [(2, 1, 4)]),
        _dropout_case(True),
        # Attend: m != n and num_hiddens != embed_size first, then num_hiddens == embed_size, then m == n.
        *_attend(gen, 1, 2, 3, 2, 3, meta=True),
        *_attend(gen, 2, 3, 4, 4, 4),
        *_attend(gen, 2, 3, 3, 3, 5, pairs=2),
        # Compare: num_inputs = 2 * embed_size; m != n, then m == n.
        _compare_case(gen, 1, 2, 3, 2, 3, meta=True),
        _compare_case(gen, 2, 3, 3, 3, 4),
        _compare_case(gen, 2, 4, 2, 3, 3),
    ]
