"""Grader for text_cnn (D2L 16.3): the `module` driver builds the book's TextCNN on token ids, loads the
reference's weights by the book's attribute names (embedding, constant_embedding, convs.<i>, decoder) and checks
the outputs and gradients after .eval() (dropout off); a steps case reads requires_grad after __init__ (the
constant embedding is frozen inside the class), and a training-mode case checks that every output is the decoder
of the encoding with each feature dropped or doubled (dropout 0.5, before the decoder). Diagnoses name the usual
slips (max-over-time pooling for the book's AdaptiveAvgPool1d, ReLU before the pooling, pooling over the channel
axis, the permute left out, the embeddings swapped, a frozen embedding that still trains)."""

from __future__ import annotations

import itertools

import torch
from torch.nn import functional as F

from d2lcoach.grading import driven, stats
from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis
from d2lcoach.grading.layer_state import linear_state, module_spec
from d2lcoach.sandbox.runtime.wire import SentTensor

#: Embedding look-ups, a short 1-D convolution, a mean over at most a dozen steps and a small linear layer:
#: another summation order differs by a few 1e-7; every bug below moves an output by O(0.1).
TOLERANCE = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-9, 1e-11)}

HINTS = {
    "values": "embeddings = torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2), then "
              ".permute(0, 2, 1) to (batch, 2 * embed_size, tokens); for each conv in self.convs, "
              "torch.squeeze(self.relu(self.pool(conv(embeddings))), dim=-1); torch.cat those on dim=1 and return "
              "self.decoder(self.dropout(encoding)) (D2L 16.3)",
    "embeddings": "concatenate the two embeddings on the vector axis, the trained one first: "
                  "torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2) has shape (batch, "
                  "tokens, 2 * embed_size); then .permute(0, 2, 1), which moves the vectors to the channel axis "
                  "(a reshape or view to that shape mixes tokens and features) (D2L 16.3)",
    "pooling": "the book's PyTorch code pools each convolution's output over time with self.pool = "
               "nn.AdaptiveAvgPool1d(1), an average over the last axis, (batch, channels, steps) -> "
               "(batch, channels, 1), then applies self.relu to the pooled value and squeezes the last axis "
               "(D2L 16.3)",
    "frozen embedding": "freeze the constant embedding inside __init__: "
                        "self.constant_embedding.weight.requires_grad = False (the book does it after loading "
                        "GloVe, outside the class); self.embedding stays trainable (D2L 16.3)",
    "dropout": "self.dropout = nn.Dropout(0.5) acts on the concatenated encoding just before the decoder: "
               "self.decoder(self.dropout(encoding)); in training mode each feature is zeroed or doubled, after "
               ".eval() it passes unchanged (D2L 16.3)",
}


# ----------------------------------------------------------------------------- the model, in float64


def _state(gen, V, d, ks, cs):
    """Weights that keep outputs O(1). The convolutions' biases sit around 0.8, so that most pooled values are
    positive (a slip in the embeddings or the convolutions shows through the ReLU) while single steps are often
    negative (ReLU before the average differs); the first channel's bias is -2.5, so its pooled value is
    negative and the ReLU must zero it."""
    state = {"embedding.weight": torch.randn(V, d, generator=gen),
             "constant_embedding.weight": torch.randn(V, d, generator=gen)}
    for i, (c, k) in enumerate(zip(cs, ks)):
        state[f"convs.{i}.weight"] = torch.randn(c, 2 * d, k, generator=gen) * 1.5 / (2 * d * k) ** 0.5
        state[f"convs.{i}.bias"] = torch.randn(c, generator=gen) * 0.3 + 0.8
    state["convs.0.bias"][0] = -2.5
    state.update(linear_state(gen, "decoder", 2, sum(cs), torch.float32))
    return state


def _encoding(state, X, *, pool="avg", relu="after", order="trained first", layout="permute", axis="time"):
    """TextCNN's encoding (before dropout and the decoder) for token ids X, in float64, or a slip of it."""
    trained, constant = state["embedding.weight"].double()[X], state["constant_embedding.weight"].double()[X]
    E = torch.cat((trained, constant) if order == "trained first" else (constant, trained), dim=2)
    if layout == "permute":
        E = E.permute(0, 2, 1)
    elif layout == "reshape":
        E = E.reshape(E.shape[0], E.shape[2], E.shape[1])
    parts, i = [], 0
    while f"convs.{i}.weight" in state:
        Y = F.conv1d(E, state[f"convs.{i}.weight"].double(), state[f"convs.{i}.bias"].double())
        if relu == "before":
            Y = torch.relu(Y)
        dim = -1 if axis == "time" else 1
        Y = Y.mean(dim) if pool == "avg" else Y.amax(dim)
        parts.append(torch.relu(Y) if relu == "after" else Y)
        i += 1
    return torch.cat(parts, dim=1)


def _decode(state, encoding):
    return F.linear(encoding, state["decoder.weight"].double(), state["decoder.bias"].double())


# ----------------------------------------------------------------------------- comparing


def _compare(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """compare_module, with a wrong output shape and weights that cannot be loaded counted against the case's
    property, and a gradient reaching the constant embedding counted against `frozen embedding`."""
    found = []
    for check, message in driven.compare_module(expected, actual, case, device):
        if check == "shape":
            check, message = case.property, f"{message}\nHint: {case.hint}"
        elif check == "gradients" and "reached constant_embedding.weight" in message:
            check, message = "frozen embedding", f"{message}\nHint: {HINTS['frozen embedding']}"
        found.append((check, message))
    if isinstance(actual, dict) and actual.get("load_error") is not None:
        found.append((case.property, f"{case.label}: its outputs could not be checked, because the reference's "
                      f"{str(actual['load_error'])[:100]} does not fit the module (see registered parameters)"))
    if any(check == case.property for check, _ in found):
        # Outputs already wrong in float32 are wrong again after .to(torch.float64) and after the round trip.
        found = [(check, message) for check, message in found
                 if not (check in ("float64", "state_dict round trip") and ", then the output for input 1" in message)]
    return found


def _call_text(V, d, ks, cs):
    return f"TextCNN({V}, {d}, {list(ks)}, {list(cs)})"


def _case(gen, prop, V, d, ks, cs, shapes, *, meta=False, ids=None, what=""):
    state = _state(gen, V, d, ks, cs)
    inputs = [torch.randint(V, shape, generator=gen) for shape in shapes]
    if ids is not None:
        inputs[0] = ids
    grad_output = torch.randn(inputs[0].shape[0], 2, generator=gen)
    spec = module_spec("TextCNN", (V, d, list(ks), list(cs)), {}, state, inputs, grad_output, mode="eval",
                       dtype=torch.float32, any_order=True)
    shown = " and ".join(str(tuple(t.shape)) for t in inputs)
    requires = () if prop == "values" else ("registered parameters",)
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=_compare, checks=driven.MODULE_CHECKS,
                meta=meta, hint=HINTS[prop], tolerance=TOLERANCE, requires=requires,
                label=f"{_call_text(V, d, ks, cs)} after .eval(), with the reference's weights, on token ids of "
                      f"shape {shown}{what}")


# ----------------------------------------------------------------------------- the frozen embedding


def _requires_grad(record):
    """{parameter name: requires_grad} of the watched net after its construction, or None."""
    try:
        params = record[0]["state"]["net"]["parameters"]
        return {str(name): bool(p["requires_grad"]) for name, p in params.items()}
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


def _compare_frozen(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    if device == "meta":
        return []
    want, got = _requires_grad(expected), _requires_grad(actual)
    if got is None:
        return [("frozen embedding", f"{case.label}: the module's parameters did not come back\nHint: {case.hint}")]
    found = []
    if "constant_embedding.weight" not in got:
        found.append(("frozen embedding", f"{case.label}: there is no parameter constant_embedding.weight: keep "
                      f"the book's name, self.constant_embedding = nn.Embedding(vocab_size, embed_size)"))
    elif got["constant_embedding.weight"]:
        found.append(("frozen embedding", f"{case.label}: constant_embedding.weight.requires_grad is True after "
                      f"__init__; the class itself must freeze it\nHint: {case.hint}"))
    frozen = sorted(name for name, flag in got.items() if not flag and want.get(name, False))
    if frozen:
        found.append(("frozen embedding", f"{case.label}: {', '.join(frozen)} "
                      f"{'does' if len(frozen) == 1 else 'do'} not require grad after __init__, but only "
                      f"constant_embedding is frozen: the trained embedding, the convolutions and the decoder "
                      f"learn\nHint: {case.hint}"))
    return found


def _frozen_case(V, d, ks, cs):
    steps = [{"call": "TextCNN", "args": [V, d, list(ks), list(cs)], "save": "net", "compare_output": False,
              "label": f"net = {_call_text(V, d, ks, cs)}"}]
    spec = {"driver": "steps", "env": {"net": None}, "watch": ["net"], "steps": steps}
    return Case(property="frozen embedding", args=(), kind="driver", spec=spec, compare=_compare_frozen, meta=False,
                hint=HINTS["frozen embedding"],
                label=f"net = {_call_text(V, d, ks, cs)}: requires_grad of each parameter after __init__")


# ----------------------------------------------------------------------------- dropout in training mode


def _masked(state, encoding):
    """Every output the decoder gives for this encoding with each feature zeroed or doubled: (rows, masks, 2)."""
    C = encoding.shape[1]
    masks = torch.tensor(list(itertools.product((0.0, 2.0), repeat=C)), dtype=torch.float64)
    return _decode(state, encoding[:, None, :] * masks[None, :, :]), masks


def _compare_dropout(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """Each training-mode output row is the decoder of the encoding with a mask of 0s and 2s (dropout 0.5), and
    the number of features dropped over all rows is a Binomial(n, 0.5) count; the outputs themselves are random,
    so they are not compared with the reference's."""
    if device == "meta":
        return []
    if not isinstance(actual, dict) or actual.get("is_module") is not True or actual.get("load_error") is not None:
        return driven.compare_module(expected, actual, case, device)[:1] or [
            ("dropout", f"{case.label}: the module could not be run")]
    forwards = actual.get("forward")
    if not isinstance(forwards, list) or len(forwards) != len(case.spec["inputs"]):
        return [("dropout", f"{case.label}: the forwards did not come back")]
    state, dropped, features = case.spec["state"], 0, 0
    for i, (X, record) in enumerate(zip(case.spec["inputs"], forwards)):
        got = record.get("output") if isinstance(record, dict) else None
        got = got.tensor.double() if isinstance(got, SentTensor) else None
        want = _encoding(state, X)
        if got is None or tuple(got.shape) != (X.shape[0], 2):
            return [("dropout", f"{case.label}: the output for input {i + 1} is not a tensor of shape "
                     f"{(X.shape[0], 2)}\nHint: {case.hint}")]
        outputs, masks = _masked(state, want)
        close = ((outputs - got[:, None, :]).abs() <= 1e-4 + 1e-4 * outputs.abs()).all(-1)  # (rows, masks)
        bad = [r for r in range(got.shape[0]) if not bool(close[r].any())]
        if bad:
            r = bad[0]
            return [("dropout", f"{case.label}: the output for input {i + 1}, row {r}, is {got[r].tolist()}, which "
                     f"is not the decoder of the encoding with each feature either zeroed or doubled "
                     f"(without dropout it would be {_decode(state, want)[r].tolist()}): dropout 0.5 goes on the "
                     f"concatenated encoding, just before the decoder, and scales what it keeps by 2\n"
                     f"Hint: {case.hint}")]
        nearest = (outputs - got[:, None, :]).abs().amax(-1).argmin(-1)  # each row's mask (unique here)
        dropped += int(masks[nearest].eq(0.0).sum())
        features += masks.shape[1] * got.shape[0]
    lo, hi = stats.binomial_acceptance(features, 0.5)
    if not lo <= dropped <= hi:
        return [("dropout", f"{case.label}: in training mode {dropped} of the {features} features of the encoding "
                 f"were dropped; dropout with p = 0.5 drops between {lo} and {hi} of them (all but a "
                 f"{stats.FALSE_FAILURE:g} chance): "
                 + ("the module does not apply dropout in training mode" if dropped == 0 else
                    "its probability is not 0.5") + f"\nHint: {case.hint}")]
    return []


def _dropout_case(gen, V, d, ks, cs, B, T, times=2):
    state = _state(gen, V, d, ks, cs)
    for i in range(len(cs)):  # a positive encoding: every dropped feature shows in the output
        state[f"convs.{i}.bias"] = torch.rand(cs[i], generator=gen) + 1.5
    X = torch.randint(V, (B, T), generator=gen)
    spec = module_spec("TextCNN", (V, d, list(ks), list(cs)), {}, state, [X] * times, None, mode="train",
                       dtype=torch.float32, any_order=True)
    spec["seed"] = int(torch.randint(2 ** 31, (1,), generator=gen))
    return Case(property="dropout", args=(), kind="driver", spec=spec, compare=_compare_dropout, meta=False,
                checks=driven.MODULE_CHECKS, hint=HINTS["dropout"], requires=("values",),
                label=f"{_call_text(V, d, ks, cs)} in training mode, with the reference's weights, on token ids of "
                      f"shape {(B, T)}, {times} forwards")


# ----------------------------------------------------------------------------- diagnoses


def _first_output(actual):
    try:
        out = actual["forward"][0]["output"]
    except (KeyError, IndexError, TypeError):
        return None
    out = out.tensor if isinstance(out, SentTensor) else out
    return out.double() if isinstance(out, torch.Tensor) else None


def _variant_is(**slip):
    """The submission's first output equals the model with this slip (and not the reference)."""
    def when(expected, actual, case):
        if case.spec.get("driver") != "module" or case.spec.get("mode") != "eval":
            return False
        got = _first_output(actual)
        state, X = case.spec["state"], case.spec["inputs"][0]
        try:
            want = _decode(state, _encoding(state, X))
            slipped = _decode(state, _encoding(state, X, **slip))
        except RuntimeError:  # the slip does not fit these shapes
            return False
        return (got is not None and tuple(got.shape) == tuple(slipped.shape)
                and bool(torch.allclose(got, slipped, rtol=1e-3, atol=1e-4))
                and not bool(torch.allclose(slipped, want, rtol=1e-3, atol=1e-4)))
    return when


def _dropout_in_eval(expected, actual, case):
    """After .eval() the outputs are the decoder of the encoding with features zeroed or doubled: dropout that
    ignores the mode (F.dropout(encoding, 0.5) without training=self.training)."""
    if case.spec.get("driver") != "module" or case.spec.get("mode") != "eval":
        return False
    got = _first_output(actual)
    state, X = case.spec["state"], case.spec["inputs"][0]
    want = _encoding(state, X)
    if got is None or tuple(got.shape) != (X.shape[0], 2) or want.shape[1] > 12:
        return False
    outputs, _ = _masked(state, want)
    close = ((outputs - got[:, None, :]).abs() <= 1e-4 + 1e-4 * outputs.abs()).all(-1)
    return bool(close.any(-1).all()) and not bool(torch.allclose(got, _decode(state, want), rtol=1e-3, atol=1e-4))


def _load_error_is(*names):
    def when(expected, actual, case):
        return isinstance(actual, dict) and str(actual.get("load_error")) in names
    return when


VALUES = ("values", "embeddings", "pooling")

DIAGNOSES = (
    Diagnosis(hint="yours takes the maximum over time, the max-over-time pooling of the book's text (and of its "
                   "MXNet code, nn.GlobalMaxPool1D): the book's PyTorch code, which this course follows, pools with "
                   "self.pool = nn.AdaptiveAvgPool1d(1), the average over the time steps, and applies the ReLU to "
                   "the pooled value", when=_variant_is(pool="max"), properties=VALUES),
    Diagnosis(hint="yours applies the ReLU before the pooling: for an average that is not the same (a negative "
                   "step no longer pulls the mean down). The book's PyTorch code applies it to the pooled value: "
                   "self.relu(self.pool(conv(embeddings)))", when=_variant_is(relu="before"), properties=VALUES),
    Diagnosis(hint="yours has no ReLU: the book applies self.relu = nn.ReLU() to each pooled value, "
                   "self.relu(self.pool(conv(embeddings))), before the concatenation",
              when=_variant_is(relu="none"), properties=VALUES),
    Diagnosis(hint="yours pools over the channel axis: a conv's output is (batch, channels, steps), and the pooling "
                   "runs over time, the last axis, giving one value per channel: self.pool = "
                   "nn.AdaptiveAvgPool1d(1) on (batch, channels, steps), then squeeze(dim=-1)",
              when=_variant_is(axis="channels"), properties=VALUES),
    Diagnosis(hint="yours reshapes (batch, tokens, 2 * embed_size) to (batch, 2 * embed_size, tokens) with reshape "
                   "or view, which mixes tokens and features: the axes must be exchanged, embeddings.permute(0, 2, 1)",
              when=_variant_is(layout="reshape"), properties=VALUES),
    Diagnosis(hint="yours leaves out the permute: torch.cat(..., dim=2) gives (batch, tokens, 2 * embed_size), and "
                   "Conv1d reads axis 1 as its channels, so it convolves over the features with the tokens as "
                   "channels (this input runs only because it has 2 * embed_size tokens): "
                   "embeddings.permute(0, 2, 1) first", when=_variant_is(layout="none"), properties=VALUES),
    Diagnosis(hint="yours puts the constant embedding first: the book concatenates the trained one first, "
                   "torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2), so the "
                   "convolutions' first embed_size input channels read the trained vectors",
              when=_variant_is(order="constant first"), properties=VALUES),
    Diagnosis(hint="after .eval() yours still drops features: nn.Dropout follows the module's mode, but "
                   "F.dropout(encoding, 0.5) drops always; write self.dropout = nn.Dropout(0.5) in __init__ (or "
                   "pass training=self.training)", when=_dropout_in_eval, properties=VALUES),
    Diagnosis(hint="the convolutions read both embeddings stacked on the vector axis: Conv1d(2 * embed_size, c, k), "
                   "after torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2) and "
                   ".permute(0, 2, 1); concatenating on dim=1 stacks the tokens instead, and without the permute "
                   "the tokens stand where the channels should",
              error=r"expected input\[.*\] to have \d+ channels|Given groups=1, weight of size"),
    Diagnosis(hint="the decoder, nn.Linear(sum(num_channels), 2), got features of another size: each conv's output "
                   "(batch, c_i, steps) must be pooled over time, the last axis, to (batch, c_i, 1) (pooling over "
                   "the channel axis keeps the steps instead), squeezed with dim=-1 to (batch, c_i), and all of them "
                   "concatenated on dim=1 to (batch, sum(num_channels))",
              error=r"mat1 and mat2 shapes cannot be multiplied|Tensors must have same number of dimensions"),
    Diagnosis(hint="self.decoder = nn.Linear(sum(num_channels), 2): its input is the concatenation of every "
                   "convolution's pooled channels, its output the two classes (positive, negative)",
              when=_load_error_is("decoder.weight", "decoder.bias")),
    Diagnosis(hint="one nn.Conv1d(2 * embed_size, c, k) per pair of zip(num_channels, kernel_sizes), in that "
                   "order, appended to self.convs = nn.ModuleList(): c output channels, kernel width k",
              when=lambda e, a, c: isinstance(a, dict) and str(a.get("load_error")).startswith("convs.")),
)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        # The smallest: one kernel size; then the book's three kernel widths 3, 4, 5 (smaller channels).
        _case(gen, "values", 6, 2, [2], [3], [(2, 4), (3, 5)], meta=True),
        _case(gen, "values", 20, 5, [3, 4, 5], [4, 3, 5], [(3, 9)]),
        # The embeddings: tokens == 2 * embed_size, so a reshape for the permute still runs; every id used.
        _case(gen, "embeddings", 5, 3, [2, 3], [3, 2], [(2, 6)],
              ids=torch.tensor([[0, 1, 2, 3, 4, 0], [4, 3, 2, 1, 0, 1]]), what=" (6 tokens = 2 * embed_size)"),
        # The pooling: the steps after each convolution equal its channels (pooling over the channel axis still
        # runs), the shortest sentence one kernel wide (a single step), and sentences of another length.
        _case(gen, "pooling", 10, 3, [2, 3], [4, 3], [(2, 5)], what=" (steps after each conv = its channels)"),
        _case(gen, "pooling", 10, 2, [3, 4], [2, 2], [(2, 4), (1, 11)], what=" (a 4-token sentence: one step "
                                                                               "after the width-4 kernel)"),
        _frozen_case(8, 3, [2, 3], [2, 2]),
        _dropout_case(gen, 12, 3, [2, 3], [2, 1], 24, 5),
    ]
