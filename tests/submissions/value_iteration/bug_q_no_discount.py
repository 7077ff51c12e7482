"""BUG: forgets gamma in the Q-learning target.

expect: fail q update; self-loop (s_next == s); float64
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    V = torch.zeros(P.shape[0], dtype=P.dtype, device=P.device)
    for _ in range(num_iters):
        Q = R + gamma * (P @ V)
        V = Q.max(dim=1).values
    return V, Q.argmax(dim=1)


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + Q[s_next].max()
    new = Q.clone()
    new[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return new
