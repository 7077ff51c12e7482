"""Grader for label_smoothing (Szegedy et al. 2016, beside D2L 4.4): the soft-target cross-entropy and the
cross-entropy with label smoothing, eps / K on every class, eps = 0 and eps = 1, the mean over the batch,
stability for logits of +-1000, float64 and gradients to the logits.

logits and the labels (or target) are passed positionally, and so is eps (no default in the contract), so
gradient path (0,) is the logits. The result is a 0-dimensional tensor. A target's gradient is not graded:
the target is a distribution, and only its changes that keep the row sums at 1 are defined (a correct
solution may use sum_k target[i, k] = 1, which changes the gradient off the simplex).
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close

VALUES = "values"
EPS_K = "eps / K on every class"
ENDS = "eps = 0 and eps = 1"
MEAN = "mean over the batch"
SOFT = "soft targets"
STABLE = "numerical stability"
FLOAT64 = "float64"

HINTS = {
    VALUES: "Szegedy et al. 2016, section 7: the smoothed target is (1 - eps) * one_hot(y) + eps / K; the loss "
            "is the mean over the examples of -sum_k target[i, k] * log_softmax(logits)[i, k].",
    EPS_K: "The smoothing spreads eps uniformly over all K classes, the true one included: eps / K on every "
           "class, so the true class gets 1 - eps + eps / K. Not eps / (K - 1) on the other classes.",
    ENDS: "eps = 0 leaves the one-hot target (the plain cross-entropy); eps = 1 gives the uniform target, "
          "1 / K on every class. Use the eps you are given, as it is.",
    MEAN: "Average over the examples: (-(target * log_probs).sum(dim=1)).mean(). Not the sum over the batch, "
          "and not the mean over all n * K entries, which also divides by K.",
    SOFT: "soft_cross_entropy takes any target distribution: -(target * log_softmax(logits, dim=1)).sum(dim=1) "
          "per example (the softmax along the classes, dim 1), then the mean over the examples.",
    STABLE: "For logits of +-1000, exp overflows and a softmax probability underflows to 0: compute the log "
            "probabilities as logits - torch.logsumexp(logits, dim=1, keepdim=True) (or torch.log_softmax), "
            "never torch.log(torch.softmax(...)), with or without a clamp.",
    FLOAT64: "float64 logits are checked at float64 precision: build the target in logits' dtype "
             "(F.one_hot(y, K).to(logits.dtype)), not in float32 (.float()) or the float32 default.",
}


def _log_probs(logits):
    logits = logits.double()
    return logits - torch.logsumexp(logits, dim=1, keepdim=True)


def _smoothing(case, on_true, elsewhere):
    """The loss of a label_smoothing_loss case against a target with these weights (functions of eps, K)."""
    if case.function != "label_smoothing_loss":
        return None
    logits, y, eps = case.args
    K = logits.shape[1]
    one_hot = torch.nn.functional.one_hot(y, K).double()
    target = one_hot * on_true(eps, K) + (1 - one_hot) * elsewhere(eps, K)
    return -(target * _log_probs(logits)).sum(dim=1).mean()


def _matches_target(on_true, elsewhere):
    def when(expected, actual, case):
        want = _smoothing(case, on_true, elsewhere)
        return want is not None and close(actual, want)
    return when


def _target(case):
    """The case's target distribution (float64): given to soft_cross_entropy, smoothed for label_smoothing_loss."""
    if case.function == "soft_cross_entropy":
        return case.args[1].double()
    logits, y, eps = case.args
    return (1 - eps) * torch.nn.functional.one_hot(y, logits.shape[1]).double() + eps / logits.shape[1]


def _softmax_over_examples(expected, actual, case) -> bool:
    """The log-softmax taken along dim 0 (over the examples) instead of along the classes."""
    logits = case.args[0].double()
    log_probs = logits - torch.logsumexp(logits, dim=0, keepdim=True)
    return close(actual, -(_target(case) * log_probs).sum(dim=1).mean())


def _scaled(factor):
    """The result is the loss times factor(n, K): a sum over the batch, or a mean over the classes too."""
    def when(expected, actual, case):
        n, K = case.args[0].shape
        return close(actual, expected.double() * factor(n, K))
    return when


def _not_finite(expected, actual, case) -> bool:
    return isinstance(actual, torch.Tensor) and not bool(torch.isfinite(actual).all())


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py), each limited to the
#: property that names its line of the contract, so that property's failure is shown first.
DIAGNOSES = (
    Diagnosis(when=_not_finite, properties=(STABLE,),
              hint="yours is inf or nan where the loss is finite: exp(1000) overflows, and log(softmax(x)) is "
                   "log 0 = -inf where a probability underflows (0 * -inf = nan). Use log probabilities "
                   "logits - torch.logsumexp(logits, dim=1, keepdim=True) (or torch.log_softmax(logits, dim=1))"),
    Diagnosis(when=_matches_target(lambda eps, K: 1 - eps, lambda eps, K: eps / (K - 1)), properties=(EPS_K, ENDS),
              hint="yours puts eps / (K - 1) on each other class and 1 - eps on the true one: the contract (and "
                   "F.cross_entropy's label_smoothing) spreads eps over all K classes, eps / K each, so the true "
                   "class gets 1 - eps + eps / K: (1 - eps) * one_hot + eps / K"),
    Diagnosis(when=_matches_target(lambda eps, K: 1 - eps, lambda eps, K: eps / K), properties=(EPS_K, ENDS),
              hint="yours gives the true class 1 - eps, without its own eps / K: the target then sums to "
                   "1 - eps / K. The true class gets 1 - eps + eps / K: (1 - eps) * one_hot + eps / K"),
    Diagnosis(when=_matches_target(lambda eps, K: 1.0, lambda eps, K: 0.0), properties=(VALUES, EPS_K, ENDS),
              hint="yours is the plain cross-entropy: eps is not used. Smooth the one-hot target first, "
                   "(1 - eps) * one_hot(y) + eps / K, then take the cross-entropy against it"),
    Diagnosis(when=_softmax_over_examples, properties=(SOFT,),
              hint="yours takes the log-softmax along dim 0, over the examples: each example's probabilities are "
                   "over its K classes, so normalise along dim 1, logits - torch.logsumexp(logits, dim=1, "
                   "keepdim=True)"),
    Diagnosis(when=_scaled(lambda n, K: n), properties=(MEAN,),
              hint="yours is the sum over the examples, n times the loss: average over them, .mean() over the "
                   "per-example losses (F.cross_entropy's reduction='mean')"),
    Diagnosis(when=_scaled(lambda n, K: 1 / K), properties=(MEAN,),
              hint="yours divides by n * K: the mean over every entry of the (n, K) matrix. Sum over the "
                   "classes first (.sum(dim=1)), then average over the examples"),
)


def _grad_output(gen, dtype):
    return [torch.randn((), generator=gen, dtype=dtype)]


def _smoothed(prop, gen, logits, y, eps):
    return Case(property=prop, function="label_smoothing_loss", args=(logits, y, eps), names=("logits", "y"),
                label=f"label_smoothing_loss(logits, y, {eps:g})", grad=((0,),),
                grad_outputs=_grad_output(gen, logits.dtype), hint=HINTS[prop])


def _soft(prop, gen, logits, target):
    return Case(property=prop, function="soft_cross_entropy", args=(logits, target), names=("logits", "target"),
                label="soft_cross_entropy(logits, target)", grad=((0,),),
                grad_outputs=_grad_output(gen, logits.dtype), hint=HINTS[prop])


def _logits(gen, n, K, dtype=torch.float32, scale=2.0):
    return (torch.randn(n, K, generator=gen, dtype=torch.float64) * scale).to(dtype)


def _labels(gen, n, K):
    return torch.randint(0, K, (n,), generator=gen)


def _distribution(gen, n, K, dtype=torch.float32, zeros=False):
    """Target rows that sum to 1 (in float64, then cast); with zeros, about half the entries of each row are 0."""
    weights = torch.rand(n, K, generator=gen, dtype=torch.float64)
    if zeros:
        keep = torch.rand(n, K, generator=gen) < 0.5
        keep[torch.arange(n), torch.randint(0, K, (n,), generator=gen)] = True
        weights = weights * keep
    return (weights / weights.sum(dim=1, keepdim=True)).to(dtype)


def _extreme(gen, n, K, dtype=torch.float32):
    """Logits of -1000, 0 and +1000 (plus a little noise), each row holding a +1000 and a -1000."""
    levels = torch.randint(-1, 2, (n, K), generator=gen).to(torch.float64)
    levels[:, 0], levels[:, -1] = 1.0, -1.0
    perm = torch.argsort(torch.rand(n, K, generator=gen), dim=1)
    levels = torch.gather(levels, 1, perm)
    return (levels * 1000 + torch.rand(n, K, generator=gen, dtype=torch.float64)).to(dtype)


def make_cases(gen: torch.Generator) -> list[Case]:
    f64 = torch.float64
    # Fixed and easy to read: the true class of example 0 is at -1000 while another class is at +1000.
    wild = torch.tensor([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 999.0]])
    wild_target = torch.tensor([[0.0, 0.25, 0.75], [1.0, 0.0, 0.0]])
    return [
        _smoothed(VALUES, gen, _logits(gen, 2, 4), _labels(gen, 2, 4), 0.1),
        _smoothed(VALUES, gen, _logits(gen, 5, 6), _labels(gen, 5, 6), 0.2),
        _smoothed(VALUES, gen, _logits(gen, 8, 10, scale=4.0), _labels(gen, 8, 10), 0.1),
        # Few classes and a large eps, where eps / K and eps / (K - 1) are far apart.
        _smoothed(EPS_K, gen, _logits(gen, 2, 2), _labels(gen, 2, 2), 0.4),
        _smoothed(EPS_K, gen, _logits(gen, 3, 3), _labels(gen, 3, 3), 0.5),
        _smoothed(EPS_K, gen, _logits(gen, 4, 3), _labels(gen, 4, 3), 0.25),
        # The ends: the plain cross-entropy and the uniform target.
        _smoothed(ENDS, gen, _logits(gen, 3, 4), _labels(gen, 3, 4), 0.0),
        _smoothed(ENDS, gen, _logits(gen, 3, 4), _labels(gen, 3, 4), 1.0),
        _smoothed(ENDS, gen, _logits(gen, 5, 5), _labels(gen, 5, 5), 1.0),
        # Batches of several examples, for both functions.
        _smoothed(MEAN, gen, _logits(gen, 6, 3), _labels(gen, 6, 3), 0.1),
        _soft(MEAN, gen, _logits(gen, 7, 4), _distribution(gen, 7, 4)),
        _smoothed(MEAN, gen, _logits(gen, 16, 5), _labels(gen, 16, 5), 0.3),
        # Any target distribution, one-hot rows and zeros included.
        _soft(SOFT, gen, _logits(gen, 2, 3), torch.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])),
        _soft(SOFT, gen, _logits(gen, 4, 5), _distribution(gen, 4, 5)),
        _soft(SOFT, gen, _logits(gen, 6, 8, scale=3.0), _distribution(gen, 6, 8, zeros=True)),
        # Logits of +-1000: finite, exact losses and gradients, in both dtypes.
        _smoothed(STABLE, gen, wild, torch.tensor([0, 1]), 0.1),
        _soft(STABLE, gen, wild, wild_target),
        _smoothed(STABLE, gen, _extreme(gen, 5, 6), _labels(gen, 5, 6), 0.2),
        _soft(STABLE, gen, _extreme(gen, 4, 5, dtype=f64), _distribution(gen, 4, 5, dtype=f64, zeros=True)),
        _smoothed(STABLE, gen, _extreme(gen, 6, 4, dtype=f64), _labels(gen, 6, 4), 0.1),
        _smoothed(FLOAT64, gen, _logits(gen, 4, 5, dtype=f64), _labels(gen, 4, 5), 0.1),
        _soft(FLOAT64, gen, _logits(gen, 5, 6, dtype=f64), _distribution(gen, 5, 6, dtype=f64)),
    ]
