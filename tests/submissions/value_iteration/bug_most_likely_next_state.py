"""BUG: uses the value of the most likely next state instead of the expectation over next states.

expect: fail stochastic transitions; synchronous sweeps; float64
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    V = torch.zeros(P.shape[0], dtype=P.dtype, device=P.device)
    likely = P.argmax(dim=2)  # (S, A)
    for _ in range(num_iters):
        Q = R + gamma * V[likely]
        V = Q.max(dim=1).values
    return V, Q.argmax(dim=1)


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + gamma * Q[s_next].max()
    new = Q.clone()
    new[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return new
