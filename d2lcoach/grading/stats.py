"""Statistical checks for random output, each with its false-failure probability computed, not guessed.

A check built here fails a correct submission with probability at most `alpha` (the course uses
FALSE_FAILURE = 1e-9 per check). Bounds are exact binomial tails (with a Chernoff bound for the
part of a tail too far out to sum), the Dvoretzky-Kiefer-Wolfowitz inequality with Massart's
constant for distribution functions, and Hoeffding's inequality for bounded means.
"""

from __future__ import annotations

import math

FALSE_FAILURE = 1e-9
_SIGMAS = 40.0  # beyond this many standard deviations a tail is bounded, not summed


def _log_pmf(k: int, n: int, p: float) -> float:
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def _chernoff_lower(k: int, n: int, p: float) -> float:
    """P(X <= k) <= exp(-n KL(k/n || p)) for k <= np."""
    q = k / n
    if q <= 0:
        return math.exp(n * math.log1p(-p))
    kl = q * math.log(q / p) + (1 - q) * math.log((1 - q) / (1 - p)) if q < 1 else math.log(1 / p)
    return math.exp(-n * kl)


def _tail_bounds(n: int, p: float) -> tuple[dict, dict]:
    """Upper bounds on P(X <= k) (for k below the mean) and P(X >= k) (above), as dicts."""
    sd = math.sqrt(n * p * (1 - p))
    mean = n * p
    lo_start = max(0, int(mean - _SIGMAS * sd))
    hi_start = min(n, int(math.ceil(mean + _SIGMAS * sd)))
    lower, acc = {}, (_chernoff_lower(lo_start - 1, n, p) if lo_start > 0 else 0.0)
    for k in range(lo_start, int(mean) + 1):
        acc += math.exp(_log_pmf(k, n, p))
        lower[k] = acc
    upper, acc = {}, (_chernoff_lower(n - hi_start - 1, n, 1 - p) if hi_start < n else 0.0)
    for k in range(hi_start, int(mean), -1):
        acc += math.exp(_log_pmf(k, n, p))
        upper[k] = acc
    return lower, upper


def binomial_acceptance(n: int, p: float, alpha: float = FALSE_FAILURE) -> tuple[int, int]:
    """The widest-needed range [lo, hi] with P(X < lo) + P(X > hi) <= alpha for X ~ Binomial(n, p)."""
    if p <= 0:
        return 0, 0
    if p >= 1:
        return n, n
    lower, upper = _tail_bounds(n, p)
    lo = max([k + 1 for k, mass in lower.items() if mass <= alpha / 2], default=0)
    hi = min([k - 1 for k, mass in upper.items() if mass <= alpha / 2], default=n)
    return lo, hi


def binomial_false_failure(n: int, p: float, lo: int, hi: int) -> float:
    """An upper bound on P(X < lo) + P(X > hi) for X ~ Binomial(n, p) (to state a check's risk)."""
    lower, upper = _tail_bounds(n, p)
    below = 0.0 if lo <= 0 else lower.get(lo - 1, _chernoff_lower(lo - 1, n, p) if lo - 1 < min(lower) else 1.0)
    above = 0.0 if hi >= n else upper.get(hi + 1, _chernoff_lower(n - hi - 1, n, 1 - p)
                                          if hi + 1 > max(upper) else 1.0)
    return min(1.0, below + above)


def dkw_epsilon(n: int, alpha: float = FALSE_FAILURE) -> float:
    """sup |F_n - F| exceeds this with probability at most alpha (n samples of a continuous F)."""
    return math.sqrt(math.log(2 / alpha) / (2 * n))


def hoeffding_epsilon(n: int, width: float, alpha: float = FALSE_FAILURE) -> float:
    """|mean - E| exceeds this with probability at most alpha, for n independent values in a range of `width`."""
    return width * math.sqrt(math.log(2 / alpha) / (2 * n))
