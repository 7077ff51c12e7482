"""Reference solution for the value_iteration exercise (D2L 17.2, 17.3): value iteration and the Q-learning update."""

import torch


def value_iteration(P: torch.Tensor, R: torch.Tensor, gamma: float, num_iters: int):
    """Synchronous sweeps from V = 0; the policy is the argmax of the last sweep's Q (first maximum on ties)."""
    V = torch.zeros(P.shape[0], dtype=P.dtype, device=P.device)
    for _ in range(num_iters):
        Q = R + gamma * (P @ V)  # (S, A): P @ V sums over the next state
        V = Q.max(dim=1).values
    return V, Q.argmax(dim=1)


def q_update(Q: torch.Tensor, s: int, a: int, r: float, s_next: int, alpha: float, gamma: float) -> torch.Tensor:
    """A copy of Q with Q[s, a] moved by alpha towards r + gamma * max Q[s_next] (read before the update)."""
    y = r + gamma * Q[s_next].max()
    new = Q.clone()
    new[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return new
