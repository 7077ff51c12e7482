"""Exercise value_iteration (D2L 17.2, 17.3): value iteration over a tabular MDP, and the Q-learning update."""

import torch


def value_iteration(P: torch.Tensor, R: torch.Tensor, gamma: float, num_iters: int):
    """Return (V, pi) after num_iters sweeps of value iteration from V = 0.

    D2L 17.2, Value Iteration:
    https://d2l.ai/chapter_reinforcement-learning/value-iter.html

    Shapes
        P (S, A, S): P[s, a, s2] = probability of s -> s2 under action a; R (S, A) expected rewards.
        V (S,) in P's dtype; pi (S,) int64.

    Conventions
        - Sweep k: Q[s, a] = R[s, a] + gamma * sum_s2 P[s, a, s2] * V_prev[s2], V[s] = max_a Q[s, a],
          with V_prev the previous sweep's values for every state (not values updated earlier in
          this sweep). V starts at 0.
        - pi is the policy of the last sweep, argmax over actions of its Q; ties go to the lowest
          action index.
        - Results on P's device; do not modify the inputs.

    Forbidden
        nothing: the sweeps and the update are the exercise (torch.max and argmax are allowed).
    """
    raise NotImplementedError("value_iteration: fill in this function")


def q_update(Q: torch.Tensor, s: int, a: int, r: float, s_next: int, alpha: float, gamma: float) -> torch.Tensor:
    """Return a new Q table after one Q-learning update of entry [s, a].

    D2L 17.3, Q-Learning:
    https://d2l.ai/chapter_reinforcement-learning/qlearning.html

    Conventions
        - y = r + gamma * max over actions of Q[s_next]; the entry becomes Q[s, a] + alpha * (y - Q[s, a]).
        - y is read from the table before the update, even when s_next == s.
        - Q itself is not modified; the result keeps Q's dtype and device.

    Forbidden
        nothing: the sweeps and the update are the exercise (torch.max and argmax are allowed).
    """
    raise NotImplementedError("q_update: fill in this function")
