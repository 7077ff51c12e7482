"""Grader for value_iteration (D2L 17.2, 17.3): values after k synchronous sweeps, the last sweep's policy
with ties to the lowest action, stochastic and deterministic transitions, float64; the Q-learning
update as a pure function, also on a self-loop."""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close

VI_NAMES = ("P", "R", "gamma", "num_iters")
Q_NAMES = ("Q", "s", "a", "r", "s_next", "alpha", "gamma")
TOLERANCE = {torch.float32: (1e-5, 1e-5)}

HINTS = {
    "values": "start from V = zeros(S); each sweep: Q = R + gamma * (P @ V), V = Q.max(dim=1).values; "
              "after num_iters sweeps return V and Q.argmax(dim=1) (D2L 17.2)",
    "synchronous sweeps": "every state of a sweep reads the previous sweep's V: compute the whole Q from the "
                          "old V, then replace V; updating V[s] state by state inside a sweep (in place) "
                          "changes the values the later states read",
    "policy of the last sweep": "pi is the argmax of the last sweep's Q, the one that produced V; not the argmax "
                                "of one more sweep computed from the returned V",
    "ties to the lowest action": "when two actions have the same value, pi takes the lower index: "
                                 "Q.argmax(dim=1) does; a loop that keeps the last maximum (>=) does not",
    "stochastic transitions": "weight the next state's value by its probability: sum over s2 of "
                              "P[s, a, s2] * V[s2], which is P @ V; not the value of the most likely state",
    "float64": "keep P's dtype: build V with dtype=P.dtype, device=P.device",
    "q update": "y = r + gamma * Q[s_next].max(); new = Q.clone(); new[s, a] = Q[s, a] + alpha * (y - Q[s, a]) "
                "(D2L 17.3); return the copy",
    "self-loop (s_next == s)": "read y from the table before changing it: when s_next == s, the updated entry "
                               "must not feed its own target",
}


def _one_sweep_more(case) -> torch.Tensor:
    """The greedy policy of the sweep after the last one (from the returned V): a policy one sweep late."""
    P, R, gamma, num_iters = (a.double() if isinstance(a, torch.Tensor) else a for a in case.args)
    V = torch.zeros(P.shape[0], dtype=torch.float64)
    for _ in range(num_iters):
        V = (R + gamma * (P @ V)).max(dim=1).values
    return (R + gamma * (P @ V)).argmax(dim=1)


DIAGNOSES = (
    Diagnosis(hint=HINTS["policy of the last sweep"] + " (yours is the policy of the next sweep: V is right)",
              when=lambda expected, actual, case: case.function == "value_iteration"
              and close(actual[0], expected[0]) and not torch.equal(actual[1].cpu(), expected[1].cpu())
              and torch.equal(actual[1].cpu(), _one_sweep_more(case))),
)


def _mdp(gen, S, A, dtype=torch.float32, deterministic=False, tie=False, trap=False):
    if deterministic:
        target = torch.randint(S, (S, A), generator=gen)
        P = torch.nn.functional.one_hot(target, S).to(torch.float64)
    else:
        P = torch.softmax(torch.randn(S, A, S, generator=gen, dtype=torch.float64) * 2, dim=2)
    R = torch.randn(S, A, generator=gen, dtype=torch.float64)
    if trap:  # from state 0, action 0 pays more now but leads to state 1, which pays little ever after,
        # and action 1 leads to state 2, which pays a lot: the greedy policy changes after one more sweep
        P[0] = 0.0
        P[0, 0, 1] = P[0, 1, 2] = 1.0
        R[0, 0], R[0, 1] = 1.0 + abs(float(R[0, 0])), 0.5
        R[1], R[2] = -5.0 - R[1].abs(), 5.0 + R[2].abs()
    if tie:  # the last action copies the first: equal values, the first must win
        P[:, -1], R[:, -1] = P[:, 0], R[:, 0]
        R[:, 0] += 3.0  # ... and both are the best action
        R[:, -1] = R[:, 0]
    return P.to(dtype), R.to(dtype)


def _vi(prop, gen, S, A, gamma, num_iters, dtype=torch.float32, **mdp):
    P, R = _mdp(gen, S, A, dtype, **mdp)
    return Case(property=prop, function="value_iteration", args=(P, R, gamma, num_iters), names=VI_NAMES,
                label=f"value_iteration(P, R, gamma={gamma}, num_iters={num_iters}) with S={S}, A={A}",
                hint=HINTS[prop], tolerance=TOLERANCE)


def _q(prop, gen, S, A, s, a, s_next, dtype=torch.float32):
    Q = torch.randn(S, A, generator=gen, dtype=torch.float64)
    Q[s, a] = Q[s].max() + 1.0  # the updated entry is its row's maximum: on a self-loop, reading the
    Q = Q.to(dtype)             # target after the update changes it
    r = round(float(torch.randn((), generator=gen, dtype=torch.float64)), 3)
    return Case(property=prop, function="q_update", args=(Q, s, a, r, s_next, 0.5, 0.9), names=Q_NAMES,
                label=f"q_update(Q, s={s}, a={a}, r={r}, s_next={s_next}, alpha=0.5, gamma=0.9)",
                hint=HINTS[prop], tolerance=TOLERANCE)


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        _vi("values", gen, 2, 2, 0.9, 1, deterministic=True),
        _vi("values", gen, 4, 3, 0.9, 5, deterministic=True),
        _vi("synchronous sweeps", gen, 3, 2, 0.9, 2, deterministic=True),
        _vi("synchronous sweeps", gen, 5, 3, 0.95, 4),
        _vi("policy of the last sweep", gen, 3, 2, 0.9, 1, deterministic=True, trap=True),
        _vi("policy of the last sweep", gen, 5, 3, 0.95, 1, trap=True),
        _vi("ties to the lowest action", gen, 3, 3, 0.9, 3, tie=True),
        _vi("stochastic transitions", gen, 3, 2, 0.9, 3),
        _vi("stochastic transitions", gen, 6, 4, 0.8, 10),
        _vi("float64", gen, 4, 3, 0.9, 6, dtype=torch.float64),
        # the book's FrozenLake size: 16 states, 4 actions, gamma 0.95, 10 sweeps
        _vi("values", gen, 16, 4, 0.95, 10, deterministic=True),
        _q("q update", gen, 3, 2, 0, 1, 2),
        _q("q update", gen, 5, 4, 3, 2, 1),
        _q("self-loop (s_next == s)", gen, 3, 3, 1, 0, 1),
        _q("float64", gen, 4, 3, 2, 1, 0, dtype=torch.float64),
    ]
