"""Grader for word2vec (D2L 15.4): skip_gram with the `steps` driver over two trusted nn.Embedding layers
(its output, then the gradients a backward pass leaves in both embeddings), and SigmoidBCELoss with the
`module` driver (forward(inputs, target, mask)), including logits of +-1000."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.layer_state import module_spec

_HINTS = {
    "values": "v = embed_v(center) is (batch, 1, embed_size), u = embed_u(contexts_and_negatives) is "
              "(batch, max_len, embed_size); return torch.bmm(v, u.permute(0, 2, 1)), (batch, 1, max_len) (D2L 15.4)",
    "gradients": "call the embeddings (or index their .weight) without .detach() or torch.no_grad(), so the "
                 "backward pass reaches embed_v and embed_u (D2L 15.4)",
    "loss": "per element -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), then .mean(dim=1): one loss per "
            "example (D2L 15.4)",
    "mask": "multiply each element's loss by mask, then take the mean over dim 1, dividing by max_len (the padded "
            "length), not by mask.sum(): the book's loss, F.binary_cross_entropy_with_logits(..., weight=mask, "
            "reduction='none').mean(dim=1) (D2L 15.4)",
    "numerical stability": "log(sigmoid(x)) underflows to log(0) for x = -1000: use max(x, 0) - x * y + "
                           "log(1 + exp(-|x|)), or F.softplus / F.logsigmoid",
}


def _skip_gram(gen, batch, max_len, vocab, dim, dtype=torch.float32, same_rows=False):
    center = torch.randint(vocab, (batch, 1), generator=gen)
    high = 2 if same_rows else vocab          # repeated indices: gradients must accumulate per row
    contexts = torch.randint(high, (batch, max_len), generator=gen)
    build = {name: {"build": "embedding", "weight": torch.randn(vocab, dim, generator=gen, dtype=dtype)}
             for name in ("embed_v", "embed_u")}
    steps = [{"call": "skip_gram", "args": [center, contexts, {"ref": "embed_v"}, {"ref": "embed_u"}],
              "save": "pred", "label": "pred = skip_gram(center, contexts_and_negatives, embed_v, embed_u)"},
             {"backward": "pred", "property": "gradients", "label": "pred.sum().backward()"}]
    spec = {"driver": "steps", "build": build, "watch": ["embed_v", "embed_u"], "steps": steps}
    return Case(property="values", args=(), kind="driver", spec=spec, compare=driven.compare_steps, meta=False,
                checks=("gradients",), hint=_HINTS["values"],
                label=f"skip_gram on center {tuple(center.shape)} and contexts_and_negatives {tuple(contexts.shape)}, "
                      f"embed_size {dim}, {str(dtype)[6:]}")


def _loss(gen, prop, batch, max_len, *, mask="none", logits=None, dtype=torch.float32):
    inputs = logits.to(dtype) if logits is not None else torch.randn(batch, max_len, generator=gen, dtype=dtype) * 3
    batch, max_len = inputs.shape
    target = (torch.rand(batch, max_len, generator=gen) < 0.5).to(dtype)
    extras = [[target]]
    if mask != "none":
        lengths = torch.randint(1, max_len + 1, (batch,), generator=gen)
        lengths[0] = max(1, max_len - 2)     # some padding on every seed
        extras = [[target, (torch.arange(max_len)[None, :] < lengths[:, None]).to(dtype)]]
    grad_output = torch.randn(batch, generator=gen, dtype=dtype)
    spec = module_spec("SigmoidBCELoss", (), {}, {}, [inputs], grad_output, mode="train", dtype=dtype,
                       extra_args=extras)
    with_mask = ", mask" if mask != "none" else ""
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=driven.compare_module,
                checks=driven.MODULE_CHECKS, meta=False, hint=_HINTS[prop],
                label=f"SigmoidBCELoss()(inputs, target{with_mask}) on inputs of shape {(batch, max_len)} {str(dtype)[6:]}")


def make_cases(gen: torch.Generator) -> list[Case]:
    extreme = torch.tensor([[-1000.0, 1000.0, 0.5], [1000.0, -1000.0, -2.0]])
    return [
        _skip_gram(gen, 1, 1, 3, 2),
        _skip_gram(gen, 2, 3, 5, 4),
        _skip_gram(gen, 3, 5, 6, 3, dtype=torch.float64, same_rows=True),
        _loss(gen, "loss", 2, 3),
        _loss(gen, "loss", 3, 5, dtype=torch.float64),
        _loss(gen, "mask", 2, 4, mask="padded"),
        _loss(gen, "mask", 4, 6, mask="padded", dtype=torch.float64),
        _loss(gen, "numerical stability", 2, 3, logits=extreme),
        _loss(gen, "numerical stability", 2, 3, mask="padded", logits=extreme * 0.1, dtype=torch.float64),
    ]
