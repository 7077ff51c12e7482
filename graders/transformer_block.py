"""Grader for transformer_block (D2L 11.7): the `module` driver loads the reference's weights into the
book's PositionWiseFFN, AddNorm and TransformerEncoderBlock by attribute name and checks them after
.eval() and in training mode with dropout 0 and 1 (nn.Dropout(1.0) is deterministic: all zeros)."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.layer_state import layer_norm_state, linear_state, module_spec

_HINTS = {
    "values": "PositionWiseFFN is dense2(relu(dense1(X))); AddNorm is ln(dropout(Y) + X), the norm after the "
              "addition; the block is Y = addnorm1(X, attention(X, X, X, valid_lens)), then "
              "addnorm2(Y, ffn(Y)) (D2L 11.7)",
    "masking": "pass valid_lens on to self.attention(X, X, X, valid_lens): keys at positions >= the valid "
               "length must get no weight (D2L 11.7)",
    "dropout": "dropout goes on Y, the sublayer's output, before the addition: ln(self.dropout(Y) + X); with "
               "nn.Dropout(1.0) in training mode Y vanishes and AddNorm gives ln(X) (D2L 11.7)",
}


def _ffn_state(gen, prefix, n_in, n_hidden, n_out, dtype):
    return {**linear_state(gen, f"{prefix}dense1", n_hidden, n_in, dtype),
            **linear_state(gen, f"{prefix}dense2", n_out, n_hidden, dtype)}


def _block_state(gen, h, ffn_hiddens, use_bias, dtype):
    state = {}
    for name in ("W_q", "W_k", "W_v", "W_o"):
        state.update(linear_state(gen, f"attention.{name}", h, h, dtype, bias=use_bias))
    state.update(layer_norm_state(gen, "addnorm1.ln", h, dtype))
    state.update(_ffn_state(gen, "ffn.", h, ffn_hiddens, h, dtype))
    state.update(layer_norm_state(gen, "addnorm2.ln", h, dtype))
    return state


def _case(gen, prop, cls, args, state, shapes, extras=None, *, n_out=None, mode="eval",
          dtype=torch.float32, meta=False):
    inputs = [torch.randn(*shape, generator=gen, dtype=dtype) for shape in shapes]
    first = shapes[0]
    grad_output = torch.randn(*first[:-1], n_out or first[-1], generator=gen, dtype=dtype)
    spec = module_spec(cls, args, {}, state, inputs, grad_output, mode=mode, dtype=dtype, any_order=True,
                       extra_args=extras)
    shown = ", ".join(map(str, args))
    where = " after .eval()" if mode == "eval" else " in training mode"
    more = "" if not extras or not extras[0] else ", with a second argument"
    # Masking and dropout are judged on the whole output: while the plain values are wrong, so are those.
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=driven.compare_module,
                checks=driven.MODULE_CHECKS, meta=meta, hint=_HINTS[prop],
                requires=() if prop == "values" else ("values",),
                label=f"{cls}({shown}){where}, with the reference's weights, on X of shape {tuple(first)} "
                      f"{str(dtype)[6:]}{more}")


def _ffn(gen, args, shapes, dtype=torch.float32, meta=False):
    return _case(gen, "values", "PositionWiseFFN", args, _ffn_state(gen, "", *args, dtype), shapes,
                 n_out=args[2], mode="train", dtype=dtype, meta=meta)


def _add_norm(gen, prop, args, shapes, mode, dtype=torch.float32, meta=False):
    d = shapes[0][-1]
    extras = [[torch.randn(*shape, generator=gen, dtype=dtype)] for shape in shapes]
    return _case(gen, prop, "AddNorm", args, layer_norm_state(gen, "ln", d, dtype), shapes, extras,
                 mode=mode, dtype=dtype, meta=meta)


def _block(gen, prop, args, shapes, lens, mode="eval", dtype=torch.float32, meta=False):
    h, ffn_hiddens = args[0], args[1]
    use_bias = args[4] if len(args) > 4 else False
    extras = [[] if v is None else [torch.tensor(v)] for v in lens]
    return _case(gen, prop, "TransformerEncoderBlock", args, _block_state(gen, h, ffn_hiddens, use_bias, dtype),
                 shapes, extras, mode=mode, dtype=dtype, meta=meta)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        _ffn(gen, (4, 8, 4), [(2, 3, 4), (5, 4)], meta=True),
        _ffn(gen, (3, 5, 2), [(2, 4, 3)], dtype=torch.float64),
        _add_norm(gen, "values", (4, 0.5), [(2, 3, 4), (1, 2, 4)], "eval", meta=True),
        _add_norm(gen, "values", ([5], 0.0), [(3, 2, 5)], "train", dtype=torch.float64),
        _add_norm(gen, "dropout", (4, 1.0), [(2, 3, 4)], "train"),
        _block(gen, "values", (8, 16, 2, 0.5), [(2, 4, 8), (1, 3, 8)], [None, None], meta=True),
        _block(gen, "values", (8, 12, 4, 0.1, True), [(2, 3, 8)], [None], dtype=torch.float64),
        _block(gen, "values", (6, 10, 3, 0.0), [(2, 4, 6)], [None], mode="train"),
        _block(gen, "masking", (8, 16, 2, 0.2), [(2, 5, 8), (3, 4, 8)], [[2, 4], [1, 4, 3]], meta=True),
        _block(gen, "dropout", (8, 16, 2, 1.0), [(2, 4, 8)], [[3, 2]], mode="train"),
    ]
