"""Grader for cross_entropy (D2L 4.4): the loss per example by indexing (the book's example, random
batches, zero probabilities in other classes, many classes, float64, gradients to y_hat) and the
book's accuracy count (scores per class, predicted labels, a Python float)."""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis
from d2lcoach.grading.engine import compare_output

LOSS_NAMES = ("y_hat", "y")

HINTS = {
    "values": "pick each example's probability of its true class, y_hat[range(len(y_hat)), y], and return "
              "-log of it; y_hat already holds probabilities, so apply no softmax (D2L 4.4)",
    "one value per example": "return the (n,) vector of losses, one per example, not their mean or sum: this "
                             "course follows the Chinese second edition and the classic English edition (the "
                             "English 1.0 edition averages)",
    "zero probabilities in other classes": "index the true class's probability instead of multiplying a one-hot "
                                           "matrix by log(y_hat): 0 * log(0) is nan, and log of a zero that the "
                                           "indexing never picks also sends nan gradients back",
    "many classes": "index with y rather than looping over the classes or building an (n, q) one-hot matrix",
    "float64": "keep y_hat's dtype: no .float() and no new float32 tensors",
    "accuracy (scores per class)": "for 2-D y_hat take argmax over dim 1, compare with y and return the NUMBER "
                                   "of matches as a Python float: float((preds == y).sum()), not the fraction",
    "accuracy (predicted labels)": "",  # its hints are diagnoses: shown when the result shows their cause
}


def _probabilities(gen, n, q, dtype=torch.float32, scale=2.0):
    logits = torch.randn(n, q, generator=gen, dtype=torch.float64) * scale
    return torch.softmax(logits, dim=1).to(dtype)


def _labels(gen, n, q):
    return torch.randint(0, q, (n,), generator=gen)


def _per_example(expected, actual, case, device):
    """The default comparison, with a result of the wrong shape failing this case's property by name."""
    found = compare_output(expected, actual, case, device)
    return [(case.property, message + "\nHint: " + HINTS[case.property]) if name == "shape" else (name, message)
            for name, message in found]


def _loss_case(prop, gen, y_hat, y, *, grad=True, compare=None):
    n = y_hat.shape[0]
    return Case(property=prop, function="cross_entropy", args=(y_hat, y), names=LOSS_NAMES,
                label="cross_entropy(y_hat, y)", grad=((0,),) if grad else (),
                grad_outputs=[torch.randn(n, generator=gen, dtype=y_hat.dtype)] if grad else None,
                hint=HINTS[prop], compare=compare)


def _count_compare(expected, actual, case, device):
    """The default comparison of a float; a wrong count also gets the hint (the default adds hints to
    tensor mismatches only)."""
    return [(name, message + "\nHint: " + case.hint if name == case.property and case.hint else message)
            for name, message in compare_output(expected, actual, case, device)]


ACCURACY = ("accuracy (scores per class)", "accuracy (predicted labels)")


def _fraction(expected, actual, case) -> bool:
    """The share of correct predictions instead of their number (to float32 rounding)."""
    n = len(case.args[1])
    return isinstance(actual, float) and expected != 0 and n > 1 and abs(actual - expected / n) <= 1e-6 * expected / n


def _argmax_of_labels(expected, actual, case) -> bool:
    """The argmax taken of a y_hat that already holds predicted labels (1-D, or one column)."""
    y_hat, y = case.args
    count = float((y_hat.argmax(dim=-1).type(y.dtype) == y).sum())
    return isinstance(actual, float) and actual == count != expected


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    Diagnosis(when=_fraction, properties=ACCURACY,
              hint="returns a fraction: accuracy counts the correct predictions, float((preds == y).sum()); "
                   "the book divides by the number of examples later (Accumulator, D2L 4.4)"),
    Diagnosis(when=_argmax_of_labels, properties=("accuracy (predicted labels)",),
              hint="a 1-D y_hat already holds predicted labels: compare it with y as it is (after casting to "
                   "y's dtype); take the argmax only when y_hat is 2-D with more than one column"),
)


def _accuracy_case(prop, y_hat, y):
    return Case(property=prop, function="accuracy", args=(y_hat, y), names=LOSS_NAMES,
                label="accuracy(y_hat, y)", hint=HINTS[prop], meta=False, compare=_count_compare)


def _half_right(gen, y_hat):
    """Labels that agree with the argmax of about half the rows, so a count tells bugs apart."""
    n, q = y_hat.shape
    right = y_hat.argmax(dim=1)
    wrong = (right + torch.randint(1, q, (n,), generator=gen)) % q
    keep = torch.rand(n, generator=gen) < 0.5
    keep[0], keep[-1] = True, False
    return torch.where(keep, right, wrong)


def make_cases(gen: torch.Generator) -> list[Case]:
    book_y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    book_y = torch.tensor([0, 2])
    cases = [
        # The book's example: tensor([2.3026, 0.6931]).
        _loss_case("values", gen, book_y_hat, book_y),
        _loss_case("values", gen, _probabilities(gen, 5, 4), _labels(gen, 5, 4)),
        _loss_case("values", gen, _probabilities(gen, 8, 10, scale=4.0), _labels(gen, 8, 10)),
        _loss_case("one value per example", gen, _probabilities(gen, 3, 4), _labels(gen, 3, 4),
                   compare=_per_example),
        # Zeros the indexing never picks: no nan value, no nan gradient.
        _loss_case("zero probabilities in other classes", gen,
                   torch.tensor([[0.0, 1.0, 0.0], [0.25, 0.0, 0.75]]), torch.tensor([1, 2])),
    ]
    n, q = 4, 6
    y_hat = _probabilities(gen, n, q)
    y = _labels(gen, n, q)
    y_hat[torch.rand(n, q, generator=gen) < 0.5] = 0.0
    y_hat[range(n), y] = torch.rand(n, generator=gen) * 0.9 + 0.05
    cases.append(_loss_case("zero probabilities in other classes", gen, y_hat, y))
    cases.append(_loss_case("many classes", gen, _probabilities(gen, 3, 20_000), _labels(gen, 3, 20_000)))
    cases.append(_loss_case("float64", gen, _probabilities(gen, 6, 5, dtype=torch.float64), _labels(gen, 6, 5)))
    # accuracy: the book's example (one of two right), then random batches with about half right.
    cases.append(_accuracy_case("accuracy (scores per class)", book_y_hat, book_y))
    for n, q in ((7, 4), (9, 2)):
        y_hat = _probabilities(gen, n, q)
        cases.append(_accuracy_case("accuracy (scores per class)", y_hat, _half_right(gen, y_hat)))
    y_hat = _probabilities(gen, 8, 3, dtype=torch.float64)
    cases.append(_accuracy_case("accuracy (scores per class)", y_hat, _half_right(gen, y_hat)))
    labels = torch.tensor([0, 1, 1, 2, 0])
    cases.append(_accuracy_case("accuracy (predicted labels)", labels, torch.tensor([0, 1, 2, 2, 1])))
    cases.append(_accuracy_case("accuracy (predicted labels)", labels.to(torch.float32),
                                torch.tensor([0, 2, 1, 2, 1])))
    # A batch of one example: (1, 1) holds one predicted label (one column, no argmax); (1, 3) holds
    # scores for three classes (more than one column: argmax, whatever the batch size).
    cases.append(_accuracy_case("accuracy (predicted labels)", torch.tensor([[2.0]]), torch.tensor([2])))
    cases.append(_accuracy_case("accuracy (scores per class)", torch.tensor([[0.1, 0.7, 0.2]]),
                                torch.tensor([1])))
    return cases
