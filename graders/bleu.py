"""Grader for bleu (D2L 10.7): pure Python (strings in, a float out), compared with driven.compare_plain.
Fixed cases hold the book's printed examples and one case per line of the contract; random token
strings over a small vocabulary (so n-grams repeat and match) only add."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

_TOLERANCE = {torch.float64: (1e-9, 1e-12)}
_VOCAB = ("a", "b", "c", "d", "e")
_HINTS = {
    "brevity penalty": "start from exp(min(0, 1 - len_label / len_pred)): 1 when the prediction is at least "
                       "as long as the label, less when it is shorter (D2L 10.7)",
    "clipped matches": "each label n-gram matches at most as often as it occurs in the label: count the label's "
                       "n-grams, and decrement the count on every match (D2L 10.7)",
    "n-gram weights": "multiply by p_n ** (0.5 ** n) for each n = 1 .. min(k, len_pred), with "
                      "p_n = matches / (len_pred - n + 1) (D2L 10.7)",
    "short predictions": "loop n from 1 to min(k, len_pred): a prediction has no n-grams longer than itself",
    "no match": "a p_n of 0 makes the whole score 0.0 (and a label shorter than n has no n-grams to match)",
    "values": "brevity penalty, then the product of p_n ** (0.5 ** n) over n = 1 .. min(k, len_pred) (D2L 10.7)",
}


def _case(prop: str, pred: str, label: str, k: int) -> Case:
    return Case(property=prop, args=(pred, label, k), names=("pred_seq", "label_seq", "k"),
                label=f"bleu({pred!r}, {label!r}, {k})", compare=driven.compare_plain,
                devices=("cpu",), meta=False, tolerance=_TOLERANCE, hint=_HINTS[prop])


def _tokens(gen: torch.Generator, length: int) -> list[str]:
    return [_VOCAB[int(i)] for i in torch.randint(len(_VOCAB), (length,), generator=gen)]


def _random_pair(gen: torch.Generator) -> tuple[str, str]:
    """A prediction and a label that shares most of its tokens, with a few changed and a length of its own."""
    pred = _tokens(gen, int(torch.randint(2, 10, (), generator=gen)))
    label = [t if float(torch.rand((), generator=gen)) > 0.25 else _tokens(gen, 1)[0] for t in pred]
    change = int(torch.randint(-2, 3, (), generator=gen))
    label = label[:max(1, len(label) + change)] if change < 0 else label + _tokens(gen, change)
    return " ".join(pred), " ".join(label)


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = [
        # D2L 10.7's text: label A..F, prediction A B, k = 2: p_1 = p_2 = 1, the score exp(1 - 6/2) ~ 0.14.
        _case("brevity penalty", "A B", "A B C D E F", 2),
        _case("brevity penalty", "a b c d e", "a b c", 1),
        _case("clipped matches", "the the the the", "the cat the mat", 1),
        _case("clipped matches", "a b a b a b", "a b c a b", 2),
        # n-grams are sequences of tokens: 'ab c' is not 'a bc', though both join to 'abc'.
        _case("clipped matches", "ab c d", "a bc d c d", 2),
        # The book's printed translations (Chinese second edition, 9.7): bleu 1.000, 0.658 and 0.447.
        _case("n-gram weights", "j'ai perdu .", "j'ai perdu .", 2),
        _case("n-gram weights", "il est riche .", "il est calme .", 2),
        _case("n-gram weights", "je suis en retard ?", "je suis chez moi .", 2),
        _case("n-gram weights", "a b c d b c", "a b c d a b c", 3),
        _case("n-gram weights", "a b c d e a b c", "a b c d e f a b", 4),
        _case("short predictions", "a", "a b", 4),
        _case("short predictions", "a b", "a b c", 4),
        _case("no match", "x y", "a b c", 2),
        _case("no match", "a b c", "a", 2),
    ]
    for _ in range(8):
        pred, label = _random_pair(gen)
        cases.append(_case("values", pred, label, int(torch.randint(1, 5, (), generator=gen))))
    same = " ".join(_tokens(gen, 6))
    cases.append(_case("values", same, same, 4))
    return cases
