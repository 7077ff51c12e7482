"""Grader for seq2seq_loss (D2L 10.7): sequence_mask (the book's example, valid lengths 0 and
num_steps, trailing dimensions masked whole, the default value 0, no write into X, gradients to the kept
entries) and masked_softmax_ce_loss (the book's printed example, the padded steps weighted 0, the mean
over all the steps rather than over the valid ones, float64, gradients to pred).

Every valid_len is an int64 (batch,) tensor. Fixed cases hold valid lengths of 0 and num_steps and,
for the loss, valid lengths that all differ from num_steps, so each bug below fails on every seed.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case

MASK = "sequence mask"
TRAILING = "trailing dimensions"
BOOK = "the book's example"
LOSS = "loss values"
PADDED = "padded steps weighted 0"
MEAN = "mean over all steps"
FLOAT64 = "float64"
LARGE = "large logits"

HINTS = {
    MASK: "Step j of row i is kept when j < valid_len[i]: torch.arange(num_steps)[None, :] < valid_len[:, None] is "
          "the (batch, num_steps) mask of kept steps. Everything else becomes value (0 by default); X must not "
          "change, so work on X.clone() or use torch.where.",
    TRAILING: "X may have more dimensions than (batch, num_steps): a masked step is masked whole. Indexing X[~mask] "
              "with a (batch, num_steps) mask does that; with torch.where, give the mask trailing dimensions of "
              "size 1 first.",
    BOOK: "D2L 10.7: weights = sequence_mask(torch.ones_like(label), valid_len); the unweighted loss is the "
          "cross-entropy of each step with reduction='none', over pred.permute(0, 2, 1); return "
          "(unweighted * weights).mean(dim=1).",
    LOSS: "The loss of one step is -log softmax(pred[i, j])[label[i, j]], the softmax over the vocabulary (the last "
          "dimension of pred; nn.CrossEntropyLoss wants it in dimension 1, hence pred.permute(0, 2, 1)).",
    PADDED: "Steps at or past valid_len[i] weigh 0: multiply the per-step loss by the mask of kept steps; do not mask "
            "pred (a masked logit still has a loss of log(vocab_size)).",
    MEAN: "Average over all num_steps with .mean(dim=1), padded steps included (they weigh 0), as the book does: "
          "not a division by valid_len.",
    FLOAT64: "float64 input is checked at float64 precision: keep pred's dtype.",
    LARGE: "Logits of 100 overflow exp in float32 (exp(100) is inf): compute log softmax stably, "
           "pred - logsumexp(pred) (torch.log_softmax or F.cross_entropy do), never log(exp(pred) / sum).",
}


def _mask_case(prop, X, valid_len, value=None, grad=True):
    kwargs = {} if value is None else {"value": value}
    shown = "" if value is None else f", value={value!r}"
    return Case(property=prop, function="sequence_mask", args=(X, valid_len), kwargs=kwargs,
                names=("X", "valid_len"), label=f"sequence_mask(X, valid_len{shown})",
                grad=((0,),) if grad else (), grad_outputs=[torch.ones_like(X)] if grad else None,
                hint=HINTS[prop])


def _loss_case(prop, gen, pred, label, valid_len):
    return Case(property=prop, function="masked_softmax_ce_loss", args=(pred, label, valid_len),
                names=("pred", "label", "valid_len"), label="masked_softmax_ce_loss(pred, label, valid_len)",
                grad=((0,),), grad_outputs=[torch.randn(pred.shape[0], generator=gen, dtype=pred.dtype)],
                hint=HINTS[prop])


def _lengths(gen, batch, steps, fixed=(0,)):
    """valid_len (batch,): the fixed lengths first, the rest drawn from 1 .. steps."""
    drawn = torch.randint(1, steps + 1, (batch - len(fixed),), generator=gen)
    return torch.cat([torch.tensor(fixed, dtype=torch.int64), drawn])


def _random_loss(gen, batch, steps, vocab, dtype=torch.float32, padded_scale=1.0, valid_len=None):
    pred = torch.randn(batch, steps, vocab, generator=gen, dtype=dtype) * 2
    label = torch.randint(vocab, (batch, steps), generator=gen)
    if valid_len is None:
        valid_len = _lengths(gen, batch, steps)
    padded = torch.arange(steps)[None, :] >= valid_len[:, None]
    pred = torch.where(padded[..., None], pred * padded_scale, pred)  # padded steps: large, confident logits
    return pred, label, valid_len


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # sequence_mask: the book's example (int64, no gradient), then float X with lengths 0 and num_steps.
    cases.append(_mask_case(MASK, torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([1, 2]), grad=False))
    cases.append(_mask_case(MASK, torch.randn(4, 5, generator=gen), _lengths(gen, 4, 5, fixed=(0, 5, 2))))
    cases.append(_mask_case(MASK, torch.randn(3, 4, generator=gen) + 2, _lengths(gen, 3, 4, fixed=(4, 1)),
                            value=-1e6))
    # trailing dimensions: the book's torch.ones(2, 3, 4) with value=-1, then 4-D X.
    cases.append(_mask_case(TRAILING, torch.ones(2, 3, 4), torch.tensor([1, 2]), value=-1))
    cases.append(_mask_case(TRAILING, torch.randn(3, 4, 2, 3, generator=gen), _lengths(gen, 3, 4, fixed=(0, 3))))
    cases.append(_mask_case(FLOAT64, torch.randn(3, 4, 2, generator=gen, dtype=torch.float64),
                            _lengths(gen, 3, 4, fixed=(2, 0)), value=0.5))
    # masked_softmax_ce_loss: the book's printed example (2.3026, 1.1513, 0).
    cases.append(_loss_case(BOOK, gen, torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long),
                            torch.tensor([4, 2, 0])))
    # loss values: every step valid, then random lengths; one case with num_steps == vocab_size.
    cases.append(_loss_case(LOSS, gen, *_random_loss(gen, 2, 3, 5, valid_len=torch.tensor([3, 3]))))
    cases.append(_loss_case(LOSS, gen, *_random_loss(gen, 4, 5, 5)))
    cases.append(_loss_case(LOSS, gen, *_random_loss(gen, 3, 6, 8)))
    # padded steps weighted 0: confident logits on the padded steps, lengths 0 and num_steps among them.
    cases.append(_loss_case(PADDED, gen, *_random_loss(gen, 3, 4, 6, padded_scale=5.0,
                                                       valid_len=torch.tensor([0, 4, 2]))))
    cases.append(_loss_case(PADDED, gen, *_random_loss(gen, 4, 5, 3, padded_scale=5.0,
                                                       valid_len=_lengths(gen, 4, 5, fixed=(1, 0)))))
    # mean over all steps: valid lengths that all differ from num_steps.
    cases.append(_loss_case(MEAN, gen, *_random_loss(gen, 3, 6, 4, valid_len=torch.tensor([1, 3, 5]))))
    cases.append(_loss_case(FLOAT64, gen, *_random_loss(gen, 3, 4, 5, dtype=torch.float64,
                                                        valid_len=torch.tensor([4, 2, 1]))))
    # large logits: 100 and -100 on every step (float32's exp overflows at 89), the label on either.
    pred, label, valid_len = _random_loss(gen, 3, 4, 6, valid_len=torch.tensor([4, 2, 3]))
    pred[:, :, 0], pred[:, :, 1] = 100.0, -100.0
    label[:, :2] = torch.tensor([0, 1])
    cases.append(_loss_case(LARGE, gen, pred, label, valid_len))
    return cases
