"""Grader for beam_search (D2L 10.8): pure Python over a bigram language model handed over as data
(step_log_probs[last][next], a list of lists), compared with driven.compare_plain. Fixed models catch
each realistic bug (their seeds are constants, so on every grading seed); random models only add."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

_TOLERANCE = {torch.float64: (1e-9, 1e-12)}
BOS, EOS = 0, 1
_HINTS = {
    "beam": "at every step extend every live sequence by every token and keep the beam_size best of all "
            "of them together, ranked by log P (D2L 10.8)",
    "candidates": "every sequence kept at every step is a candidate, the short ones too (D2L 10.8's six "
                  "candidates A, C, AB, CE, ABD, CED)",
    "length penalty": "score each candidate by log P / L ** alpha, with L its number of tokens after bos, "
                      "eos included (D2L 10.8)",
    "end of sequence": "a kept sequence that ends in eos is a candidate but is not extended any further",
    "greedy": "beam_size = 1 keeps greedy search's path: the single most likely token at each step",
    "max_len": "generate at most max_len tokens after bos (max_len steps)",
    "ties": "break ties by the smaller token list: rank by (-log P, tokens) when keeping, "
            "by (-score, tokens) when choosing",
    "values": "rank by log P at each step, keep beam_size, then pick the best log P / L ** alpha (D2L 10.8)",
}


def _model(gen: torch.Generator, vocab: int, bos: int = BOS) -> list[list[float]]:
    """Log-probabilities of the next token given the last one: each row a log-softmax of random logits over
    every token but bos, which gets -1e9 (never generated; a finite number, as the wire carries no inf)."""
    logits = torch.randn(vocab, vocab, generator=gen, dtype=torch.float64) * 1.5
    logits[:, bos] = -float("inf")
    return torch.log_softmax(logits, dim=1).clamp(min=-1e9).tolist()


def _case(prop: str, model, beam_size: int, max_len: int, alpha: float | None = None, *,
          bos: int = BOS, eos: int = EOS) -> Case:
    kwargs = {} if alpha is None else {"alpha": alpha}
    extra = "" if alpha is None else f", alpha={alpha}"
    return Case(property=prop, args=(model, bos, eos, beam_size, max_len), kwargs=kwargs,
                names=("step_log_probs", "bos", "eos", "beam_size", "max_len"),
                label=f"beam_search(step_log_probs={model!r}, bos={bos}, eos={eos}, beam_size={beam_size}, "
                      f"max_len={max_len}{extra})",
                compare=driven.compare_plain, devices=("cpu",), meta=False, tolerance=_TOLERANCE,
                hint=_HINTS[prop])


def _fixed(prop: str, seed: int, vocab: int, beam_size: int, max_len: int, alpha: float | None = None, *,
           bos: int = BOS, eos: int = EOS) -> Case:
    return _case(prop, _model(torch.Generator().manual_seed(seed), vocab, bos), beam_size, max_len, alpha,
                 bos=bos, eos=eos)


# Tokens 2 and 3 tie at step 2 (exact binary fractions): [2, 3] and [3, 2] both have log P -1.25 and the
# best score; the contract's rule picks [2, 3], creation order (parent [3] first) would pick [3, 2].
_TIED = [[-1e9, -9.0, -1.0, -0.5], [-1e9, -9.0, -9.0, -9.0], [-1e9, -9.0, -9.0, -0.25], [-1e9, -9.0, -0.75, -9.0]]


# Keeping beam_size children of each live sequence (4 at step 2, not 2) lets [3, 4] live on and reach
# [3, 4, eos], score -2.61 / 9; the contract's beam holds [2, 2] and [2, 3] only, and its best is [2, 2, 2].
_BEAM = [[-1e9, -9.0, -1.0, -1.1, -9.0], [-1e9, -9.0, -9.0, -9.0, -9.0], [-1e9, -9.0, -1.0, -1.0, -9.0],
         [-1e9, -9.0, -9.0, -1.0, -1.5], [-1e9, -0.01, -9.0, -9.0, -9.0]]


# A tie for the beam's last slot at step 2: [2, 3] and [3, 2] have log P -1.5; the rule keeps [2, 3], whose
# continuation [2, 3, 4] wins; creation order (parent [3] first) would keep [3, 2] and return [3, 2, 3].
_TIED_IN_BEAM = [[-1e9, -9.0, -1.0, -0.5, -9.0], [-1e9, -9.0, -9.0, -9.0, -9.0], [-1e9, -9.0, -9.0, -0.5, -9.0],
                 [-1e9, -9.0, -1.0, -9.0, -0.5], [-1e9, -5.0, -9.0, -9.0, -9.0]]
# With alpha = 1, [3] (-1 / 1) and [2, 2] (-2 / 2) tie for the best score: the smaller list, [2, 2], wins,
# not the one found first.
_TIED_LENGTHS = [[-1e9, -9.0, -1.5, -1.0], [-1e9, -9.0, -9.0, -9.0], [-1e9, -9.0, -0.5, -9.0],
                 [-1e9, -9.0, -9.0, -9.0]]


# bos = 4, eos = 0. Step 1 keeps [0] (finished, log P -0.4) and [1]; step 2 must keep [1, 2] and [1, 3],
# both live: [1, 3, 0] (-1.11 / 3 ** 2) then wins. Finished [0] holding a beam slot would crowd out [1, 3]
# and return [1, 2] (-1.0 / 2 ** 2).
_CROWDED = [[-9.0, -9.0, -9.0, -9.0, -1e9], [-9.0, -9.0, -0.5, -0.6, -1e9], [-5.0, -6.0, -6.0, -6.0, -1e9],
            [-0.01, -9.0, -9.0, -9.0, -1e9], [-0.4, -0.5, -5.0, -5.0, -1e9]]


def make_cases(gen: torch.Generator) -> list[Case]:
    # Each fixed model is the smallest found that tells its bug apart from the contract (seeds are constants).
    cases = [
        _fixed("candidates", 4, vocab=3, beam_size=2, max_len=3),      # only the last step's sequences
        _fixed("length penalty", 2, vocab=3, beam_size=2, max_len=3),  # log P alone
        _fixed("length penalty", 1, vocab=4, beam_size=2, max_len=3),  # log P / L (alpha ignored)
        _fixed("length penalty", 5, vocab=4, beam_size=2, max_len=4),  # L without eos
        _fixed("length penalty", 1, vocab=4, beam_size=2, max_len=3, alpha=1.5),
        _fixed("end of sequence", 6, vocab=4, beam_size=2, max_len=4),  # sequences extended after eos
        _fixed("max_len", 3, vocab=4, beam_size=2, max_len=3),         # one step short
        _fixed("greedy", 0, vocab=4, beam_size=1, max_len=5),
        _fixed("values", 7, vocab=5, beam_size=3, max_len=4),         # every row read as bos's
        _fixed("values", 0, vocab=3, beam_size=2, max_len=3, bos=2, eos=0),  # the first step from row 0
        _case("end of sequence", _CROWDED, 2, 3, alpha=2.0, bos=4, eos=0),  # finished ones hold no beam slot
        _case("beam", _BEAM, 2, 3, alpha=2.0),
        _case("ties", _TIED, 2, 2, alpha=2.0),
        _case("ties", _TIED_LENGTHS, 2, 2, alpha=1.0),
        _case("ties", _TIED_IN_BEAM, 2, 3, alpha=2.0),
    ]
    for _ in range(6):
        vocab, beam_size, max_len = (int(v) for v in (torch.randint(3, 6, (), generator=gen),
                                                      torch.randint(1, 4, (), generator=gen),
                                                      torch.randint(2, 6, (), generator=gen)))
        alpha = None if float(torch.rand((), generator=gen)) < 0.5 else round(float(torch.rand((), generator=gen)) * 2, 2)
        bos, eos = (int(t) for t in torch.randperm(vocab, generator=gen)[:2])
        cases.append(_case("values", _model(gen, vocab, bos), beam_size, max_len, alpha, bos=bos, eos=eos))
    return cases
