"""BUG: q_update changes the caller's table in place (and returns it).

expect: fail no mutation
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    V = torch.zeros(P.shape[0], dtype=P.dtype, device=P.device)
    for _ in range(num_iters):
        Q = R + gamma * (P @ V)
        V = Q.max(dim=1).values
    return V, Q.argmax(dim=1)


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + gamma * Q[s_next].max()
    Q[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return Q
