"""Grader for bert_inputs (D2L 15.8): `get_tokens_and_segments` in pure Python on the `steps` driver (the
caller's lists watched: they must stay as they were; the result is the tuple (tokens, segments), tokens and
segment IDs judged apart), and `MaskLM` on the `steps` driver, because the `module` driver copies weights
before the first call, which the English edition's lazy layers cannot take: `MaskLM(vocab_size, num_hiddens)`,
a first call on the CPU (it gives the lazy layers their shapes; not graded), `.to(device)`, the reference's
weights copied in by name (`get_parameter(name).copy_(...)` under `requires_grad_(False)`), then the graded
call and `.sum().backward()` (the gradients of X and of every parameter), or for the float64 case
`.to(torch.float64)` and one call on float64 inputs. One sequence per batch grades the MLP (`predictions`);
several sequences grade the batch-index gather (`batch pairing`), with as many positions as sequences once
(X[arange(B), pred_positions] broadcasts then); an input width other than num_hiddens grades the lazy first
layer (`any input width`)."""

from __future__ import annotations

import dataclasses

import torch
from torch.nn import functional as F

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close
from d2lcoach.grading.layer_state import layer_norm_state, linear_state
from d2lcoach.sandbox.runtime.wire import SentTensor

#: Two small linear layers and a LayerNorm over at most 6 features: another summation order differs by a
#: few 1e-7; every bug below moves a value by O(0.1).
TOLERANCE = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-9, 1e-11)}

HINTS = {
    "tokens": "tokens = ['<cls>'] + tokens_a + ['<sep>'], and for a pair also tokens += tokens_b + ['<sep>']: the "
              "book's special tokens are the strings '<cls>' and '<sep>', and a pair ends with a second '<sep>' "
              "(D2L 15.8)",
    "segment IDs": "segments = [0] * (len(tokens_a) + 2) covers '<cls>', tokens_a and the first '<sep>'; for a pair "
                   "segments += [1] * (len(tokens_b) + 1) covers tokens_b and the last '<sep>': one ID per token "
                   "(D2L 15.8)",
    "predictions": "self.mlp = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens), "
                   "nn.LazyLinear(vocab_size)), applied to the encodings at the predicted positions, "
                   "masked_X of shape (batch_size, num_pred_positions, d) (D2L 15.8)",
    "batch pairing": "row i of pred_positions indexes sequence i: batch_idx = torch.repeat_interleave("
                     "torch.arange(batch_size, device=X.device), num_pred_positions) with pred_positions.reshape(-1), "
                     "masked_X = X[batch_idx, pred_positions], then masked_X.reshape((batch_size, "
                     "num_pred_positions, -1)) (D2L 15.8)",
    "any input width": "the English edition's first layer is nn.LazyLinear(num_hiddens): it takes its input width "
                       "from the first X it sees, which need not be num_hiddens (D2L 15.8)",
    "float64": "after mlm.to(torch.float64) every layer computes in float64: make no float32 tensor on the way "
               "(index tensors are integers; a one-hot matrix takes X's dtype)",
    "gradients": "gather with indexing (X[batch_idx, pred_positions]) or torch.gather, without .detach(), .data, "
                 "torch.no_grad() or a NumPy round trip: X's gradient is the MLP's gradient scattered back to the "
                 "positions, added up where a position is predicted twice",
}

_LAYERS = ("the grader builds MaskLM(vocab_size, num_hiddens) and loads the reference's weights with "
           "load_state_dict by the book's names: self.mlp = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), "
           "nn.LayerNorm(num_hiddens), nn.LazyLinear(vocab_size)), so the parameters are mlp.0.weight, mlp.0.bias, "
           "mlp.2.weight, mlp.2.bias (the LayerNorm), mlp.3.weight and mlp.3.bias, in this order")


# ----------------------------------------------------------------------------- get_tokens_and_segments


def _compare_tokens(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """The steps' result, tokens and segment IDs judged apart; the caller's lists must stay as they were."""
    if type(actual) is not list or len(actual) != len(expected) or not all(type(r) is dict for r in actual):
        return [("result type", f"{case.label}: the call did not come back ({driven._kind(actual)})")]
    want, got = expected[0]["output"], actual[0].get("output")
    found = []
    if type(got) is not tuple or len(got) != 2:
        shown = f"a {type(got).__name__} of {len(got)}" if type(got) in (list, tuple) else driven._kind(got)
        return [("result type", f"{case.label} returned {shown}: return the tuple (tokens, segments), as the book's "
                 "`return tokens, segments` does")]
    for k, prop in enumerate(("tokens", "segment IDs")):
        here = dataclasses.replace(case, property=prop, hint=HINTS[prop])
        name = ("tokens", "segments")[k]
        if type(got[k]) is not list:
            found.append(("result type", f"{case.label}: {name} should be a list, got {driven._kind(got[k])}"))
            continue
        if got[k] != want[k]:
            found.append((prop, f"{case.label}: {name} is {driven._short(got[k])}, expected {driven._short(want[k])}"
                          f"\nHint: {_hint(prop, want, got)}"))
    for name in ("tokens_a", "tokens_b"):
        before, after = expected[0]["state"][name], (actual[0].get("state") or {}).get(name)
        if after != before:
            found.append(("no mutation", f"{case.label} changed the caller's {name}: it was "
                          f"{driven._short(before)}, afterwards {driven._short(after)}. Build new lists "
                          "(['<cls>'] + tokens_a + ['<sep>']) instead of insert, append or += on the arguments"))
    return found


def _hint(prop: str, want, got) -> str:
    """The property's hint, led by the usual slip that `got` shows, when it shows one."""
    tokens, segments = got
    slip = ""
    if prop == "tokens" and any(t in ("[CLS]", "[SEP]", "CLS", "SEP", "<CLS>", "<SEP>") for t in tokens
                                if isinstance(t, str)):
        slip = "the book's special tokens are '<cls>' and '<sep>' (lower case, in angle brackets), not BERT's [CLS]. "
    elif prop == "tokens" and want[0][:-1] == list(tokens) and _tokens_b_empty(want):
        slip = "tokens_b=[] is a pair with an empty second text (the book tests `tokens_b is not None`). "
    elif prop == "tokens" and want[0][:-1] == list(tokens):
        slip = "yours leaves out the last '<sep>': a pair ends with one too. "
    elif prop == "segment IDs" and isinstance(segments, list) and len(segments) == len(want[1]):
        first = [i for i, (g, w) in enumerate(zip(segments, want[1])) if g != w]
        if first and first == [len(want[1]) - 1]:
            slip = "the last '<sep>' belongs to the second segment: its ID is 1. "
        elif first and want[1][first[0]] == 0 and want[0][first[0]] == "<sep>":
            slip = "the first '<sep>' closes segment A: its ID is 0. "
    elif prop == "segment IDs" and isinstance(segments, list) and len(segments) != len(want[1]):
        slip = f"one segment ID per token: {len(want[1])} of them, got {len(segments)}. "
    return slip + HINTS[prop]


def _tokens_b_empty(want) -> bool:
    """The expected tokens end in '<sep>', '<sep>': a pair whose second text is empty."""
    return want[0][-2:] == ["<sep>", "<sep>"]


def _tokens_case(tokens_a, tokens_b=None, *, omit=False, keyword=False) -> Case:
    if omit:
        step_args, kwargs, shown = [{"ref": "tokens_a"}], {}, f"{tokens_a!r}"
    elif keyword:
        step_args, kwargs, shown = [{"ref": "tokens_a"}], {"tokens_b": {"ref": "tokens_b"}}, \
            f"{tokens_a!r}, tokens_b={tokens_b!r}"
    else:
        step_args, kwargs, shown = [{"ref": "tokens_a"}, {"ref": "tokens_b"}], {}, f"{tokens_a!r}, {tokens_b!r}"
    step = {"call": "get_tokens_and_segments", "args": step_args, "kwargs": kwargs,
            "label": f"get_tokens_and_segments({shown})"}
    spec = {"driver": "steps", "env": {"tokens_a": list(tokens_a), "tokens_b": None if tokens_b is None else
                                       list(tokens_b)},
            "watch": ["tokens_a", "tokens_b"], "steps": [step]}
    return Case(property="tokens", args=(), kind="driver", spec=spec, compare=_compare_tokens, devices=("cpu",),
                meta=False, hint=HINTS["tokens"], checks=("segment IDs",), exact_containers=True,
                label=f"get_tokens_and_segments({shown})")


_WORDS = ("this", "movie", "is", "great", "i", "like", "it", "a", "crane", "is", "flying", "bank")


def _words(gen: torch.Generator, n: int) -> list:
    return [_WORDS[int(i)] for i in torch.randint(len(_WORDS), (n,), generator=gen)]


# ----------------------------------------------------------------------------- MaskLM


def _state(gen, d, h, V) -> dict:
    return {**linear_state(gen, "mlp.0", h, d, torch.float32), **layer_norm_state(gen, "mlp.2", h, torch.float32),
            **linear_state(gen, "mlp.3", V, h, torch.float32)}


def _mlp64(state, Z, *, act=F.relu, norm=True, norm_first=False):
    """The reference MLP in float64 on gathered encodings Z (..., d), or one of its usual variants."""
    s = {k: v.double() for k, v in state.items()}
    H = F.linear(Z, s["mlp.0.weight"], s["mlp.0.bias"])
    if norm_first:
        H = act(F.layer_norm(H, H.shape[-1:], s["mlp.2.weight"], s["mlp.2.bias"]))
    else:
        H = act(H)
        if norm:
            H = F.layer_norm(H, H.shape[-1:], s["mlp.2.weight"], s["mlp.2.bias"])
    return F.linear(H, s["mlp.3.weight"], s["mlp.3.bias"])


def _forward_step(case: Case) -> int:
    return next(k for k, s in enumerate(case.spec["steps"]) if s.get("save") == "mlm_Y_hat")


def _inputs(case: Case):
    X = case.spec["env"]["X"].double()
    pos = case.spec["steps"][_forward_step(case)]["args"][1].long()
    return X, pos


def _gathered(case: Case, how: str):
    """Z (batch, P, d) as the right gather or a usual wrong one would give it (None: not possible here)."""
    X, pos = _inputs(case)
    B, P = pos.shape
    if how == "book":
        return X[torch.arange(B).repeat_interleave(P), pos.reshape(-1)].reshape(B, P, -1)
    if how == "tiled":  # torch.arange(B).repeat(P): the batch indices cycle instead of repeating
        return X[torch.arange(B).repeat(P), pos.reshape(-1)].reshape(B, P, -1)
    if how == "transposed":  # the positions flattened column by column
        return X[torch.arange(B).repeat_interleave(P), pos.T.reshape(-1)].reshape(B, P, -1)
    if how == "broadcast" and P == B:  # X[torch.arange(B), pred_positions]: the batch index runs along a row
        return X[torch.arange(B), pos]
    if how == "first":  # every row's positions looked up in the first sequence
        return X[0][pos]
    return None


def _state_of(case: Case) -> dict:
    """The reference's weights, read back from the copy_ steps of the case."""
    return {s["label"].split("the reference's ", 1)[1][:-1]: s["args"][0]
            for s in case.spec["steps"] if s.get("method") == "copy_"}


def _output(actual, case):
    try:
        out = actual[_forward_step(case)]["output"]
    except (IndexError, KeyError, TypeError):
        return None
    return out.tensor.double() if isinstance(out, SentTensor) else (out.double() if isinstance(out, torch.Tensor)
                                                                    else None)


def _gather_is(how):
    def when(expected, actual, case):
        got = _output(actual, case)
        Z = _gathered(case, how)
        if got is None or Z is None:
            return False
        want = _mlp64(_state_of(case), Z)
        return close(got, want, 1e-3, 1e-4) and not close(got, _mlp64(_state_of(case),
                                                                        _gathered(case, "book")), 1e-3, 1e-4)
    return when


def _mlp_is(**variant):
    def when(expected, actual, case):
        got = _output(actual, case)
        if got is None:
            return False
        return close(got, _mlp64(_state_of(case), _gathered(case, "book"), **variant), 1e-3, 1e-4)
    return when


def _flat_output(expected, actual, case):
    got = _output(actual, case)
    X, pos = _inputs(case)
    B, P = pos.shape
    return got is not None and B > 1 and tuple(got.shape) == (B * P, case.spec["steps"][0]["args"][0])


def _compare_mlm(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """compare_steps, with X's value after the calls judged as `no mutation` (X is the caller's tensor)."""
    found = []
    for check, message in driven.compare_steps(expected, actual, case, device):
        if check == case.property and "afterwards X " in message:
            check = "no mutation"
        found.append((check, message))
    return found


def _mlm_case(gen, prop, B, T, d, h, V, P, *, pos=None, repeat=False) -> Case:
    state = _state(gen, d, h, V)
    X = torch.randn(B, T, d, generator=gen)
    if pos is None:
        pos = torch.stack([torch.randperm(T, generator=gen)[:P] for _ in range(B)])
        if repeat:  # a position predicted twice in one sequence: its gradient adds up
            pos[:, -1] = pos[:, 0]
    pos = torch.as_tensor(pos, dtype=torch.int64)
    # The lazy layers get their shapes from a first call on the CPU, before the module moves to the run's
    # device (the stand-in GPU cannot move a parameter that has no shape yet); then the reference's weights
    # are copied in by name.
    steps = [{"call": "MaskLM", "args": [V, h], "save": "mlm", "compare_output": False,
              "label": f"mlm = MaskLM({V}, {h})"},
             {"call": {"ref": "on_cpu"}, "method": "__getitem__", "args": [0], "save": "X_cpu",
              "compare_output": False, "label": "X on the CPU"},
             {"call": {"ref": "on_cpu"}, "method": "__getitem__", "args": [1], "save": "pos_cpu",
              "compare_output": False, "label": "pred_positions on the CPU"},
             {"call": {"ref": "mlm"}, "args": [{"ref": "X_cpu"}, {"ref": "pos_cpu"}], "compare_output": False,
              "label": "mlm(X, pred_positions) on the CPU, a first call that gives the lazy layers their shapes"},
             {"call": {"ref": "mlm"}, "method": "to", "args": [{"ref": "device"}], "save": "mlm",
              "compare_output": False, "label": "mlm = mlm.to(device)"},
             {"call": {"ref": "mlm"}, "method": "requires_grad_", "args": [False], "compare_output": False,
              "label": "mlm.requires_grad_(False)"}]
    for name, value in state.items():
        steps += [{"call": {"ref": "mlm"}, "method": "get_parameter", "args": [name], "save": "p",
                   "compare_output": False, "label": f"p = mlm.get_parameter({name!r})"},
                  {"call": {"ref": "p"}, "method": "copy_", "args": [value], "compare_output": False,
                   "label": f"p.copy_(the reference's {name})"}]
    steps += [{"call": {"ref": "mlm"}, "method": "requires_grad_", "args": [True], "save": "net",
               "compare_output": False, "label": "mlm.requires_grad_(True), with the reference's weights"}]
    if prop == "float64":  # the module converted, then one call on float64 inputs
        steps += [{"call": {"ref": "net"}, "method": "to", "args": [{"ref": "float64"}], "compare_output": False,
                   "label": "mlm.to(torch.float64)"},
                  {"call": {"ref": "net"}, "args": [X.double(), pos], "label": "mlm(X.double(), pred_positions)"}]
    else:
        steps += [{"call": {"ref": "net"}, "args": [{"ref": "X"}, pos], "save": "mlm_Y_hat",
                   "label": "mlm_Y_hat = mlm(X, pred_positions)"},
                  {"backward": "mlm_Y_hat", "label": "mlm_Y_hat.sum().backward()"}]
    # "net" is watched from the start (None until the loaded module is saved there): its parameters and
    # their gradients after the backward pass come back, with X's gradient.
    spec = {"driver": "steps", "env": {"X": X, "net": None, "on_cpu": [X, pos]}, "spread": {"on_cpu": ["cpu", "cpu"]},
            "leaves": ["X"],
            "build": {"device": {"build": "device"}, "float64": {"build": "dtype", "name": "float64"}},
            "watch": ["net", "X"], "steps": steps}
    rows = pos.tolist() if pos.numel() <= 12 else f"of shape {tuple(pos.shape)}"
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=_compare_mlm, meta=False,
                hint=HINTS[prop], tolerance=TOLERANCE,
                checks=("shape", "dtype") + (() if prop == "float64" else ("gradients",)),
                requires=("predictions",) if prop != "predictions" else (),
                label=f"MaskLM({V}, {h}) with the reference's weights, X of shape {(B, T, d)}, "
                      f"pred_positions {rows}")


DIAGNOSES = (
    Diagnosis(hint="the Chinese edition's MaskLM(vocab_size, num_hiddens, num_inputs=768) builds nn.Linear("
                   "num_inputs, num_hiddens), fixed at 768 inputs; the course follows the English edition, whose "
                   "first layer nn.LazyLinear(num_hiddens) takes its input width from X (here not 768)",
              error=r"mat1 and mat2 shapes cannot be multiplied \(\d+x\d+ and 768x\d+\)"),
    Diagnosis(hint="your first layer's input width is fixed, and X's width need not be num_hiddens: build it as "
                   "the English edition does, nn.LazyLinear(num_hiddens), which takes its input width from the "
                   "first X", error=r"mat1 and mat2 shapes cannot be multiplied", properties=("any input width",)),
    Diagnosis(hint=_LAYERS, error=r"has no attribute|is not an nn\.Parameter|has no parameter|not a Parameter"),
    Diagnosis(hint="X[torch.arange(batch_size), pred_positions] broadcasts the batch index along each row, so "
                   "position j of every row is read from sequence j: repeat each sequence's index once per "
                   "position, torch.repeat_interleave(torch.arange(batch_size), num_pred_positions), with "
                   "pred_positions.reshape(-1) (or index with torch.arange(batch_size).unsqueeze(1))",
              when=_gather_is("broadcast"), properties=("batch pairing",)),
    Diagnosis(hint="yours pairs the sequences with the positions of another row: torch.arange(batch_size)"
                   ".repeat(num_pred_positions) gives [0, 1, 0, 1, ...]; the book's torch.repeat_interleave gives "
                   "[0, 0, 0, 1, 1, 1], matching pred_positions.reshape(-1) row by row",
              when=_gather_is("tiled"), properties=("batch pairing",)),
    Diagnosis(hint="yours flattens pred_positions column by column (a transpose, or order='F'): "
                   "pred_positions.reshape(-1) reads row by row, which is the order of the repeated batch "
                   "indices [0, 0, 0, 1, 1, 1]", when=_gather_is("transposed"), properties=("batch pairing",)),
    Diagnosis(hint="yours looks every row's positions up in the first sequence only: row i of pred_positions "
                   "indexes X[i], so the batch index must go with them", when=_gather_is("first"),
              properties=("batch pairing",)),
    Diagnosis(hint="X[batch_idx, pred_positions] needs two index tensors of the same length: batch_idx = "
                   "torch.repeat_interleave(torch.arange(batch_size), num_pred_positions) and "
                   "pred_positions.reshape(-1), both batch_size * num_pred_positions long",
              error=r"indexing tensors could not be broadcast|shape mismatch: indexing tensors",
              properties=("batch pairing",)),
    Diagnosis(hint="masked_X must have shape (batch_size, num_pred_positions, d) before the MLP: X[:, "
                   "pred_positions] pairs every sequence with every row of positions, (batch, batch, "
                   "num_pred_positions, d); index with the repeated batch indices and the flattened positions, "
                   "then reshape (here the first call gave the lazy layer another input width than X's)",
              error=r"mat1 and mat2 shapes cannot be multiplied|The size of tensor a \(\d+\) must match the size of "
                    r"tensor b", properties=("batch pairing", "predictions")),
    Diagnosis(hint="reshape the predictions back: masked_X.reshape((batch_size, num_pred_positions, -1)) before "
                   "the MLP, so mlm_Y_hat has shape (batch_size, num_pred_positions, vocab_size)",
              when=_flat_output),
    Diagnosis(hint="yours uses GELU: the book's MaskLM uses nn.ReLU() (the original BERT uses GELU; the book's "
                   "exercise 2 asks about the difference)", when=_mlp_is(act=F.gelu), properties=("predictions",)),
    Diagnosis(hint="yours normalises before the activation: the book's order is nn.LazyLinear(num_hiddens), "
                   "nn.ReLU(), nn.LayerNorm(num_hiddens), nn.LazyLinear(vocab_size)",
              when=_mlp_is(norm_first=True), properties=("predictions",)),
    Diagnosis(hint="yours leaves the LayerNorm out of the computation: the book's MLP is LazyLinear, ReLU, "
                   "LayerNorm, LazyLinear", when=_mlp_is(norm=False), properties=("predictions",)),
)


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = [
        # get_tokens_and_segments: a single text (tokens_b left out, then None), pairs, empty texts.
        _tokens_case(["hi"], omit=True),
        _tokens_case(_words(gen, 3), None),
        _tokens_case(["this", "movie"], ["is", "great"]),
        _tokens_case(_words(gen, 1), _words(gen, 3), keyword=True),
        _tokens_case(_words(gen, 4), _words(gen, 2)),
        _tokens_case([], omit=True),
        _tokens_case(["hello"], []),                                  # [] is a pair with an empty second text
        _tokens_case([], _words(gen, 2)),
    ]
    cases += [
        # predictions: one sequence, so any batch index pairs right; d == num_hiddens as in the book's BERT.
        _mlm_case(gen, "predictions", 1, 4, 3, 3, 5, 2),
        _mlm_case(gen, "predictions", 1, 6, 4, 4, 7, 3, repeat=True),
        # batch pairing: several sequences, P != B; then the book's example positions; then P == B.
        _mlm_case(gen, "batch pairing", 2, 5, 3, 3, 4, 3),
        _mlm_case(gen, "batch pairing", 2, 8, 4, 4, 6, 3, pos=[[1, 5, 2], [6, 1, 5]]),
        _mlm_case(gen, "batch pairing", 3, 5, 3, 3, 5, 3),
        _mlm_case(gen, "batch pairing", 3, 6, 4, 4, 5, 2, repeat=True),
        _mlm_case(gen, "batch pairing", 4, 3, 2, 2, 3, 1),
        # any input width: X's width differs from num_hiddens (the lazy first layer infers it); one sequence.
        _mlm_case(gen, "any input width", 1, 5, 5, 3, 4, 2),
        _mlm_case(gen, "any input width", 1, 4, 2, 6, 5, 3),
        # float64: after .to(torch.float64), one sequence (the gather is graded above).
        _mlm_case(gen, "float64", 1, 5, 3, 3, 4, 3, repeat=True),
    ]
    return cases
