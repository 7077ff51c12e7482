"""BUG: starts V with torch.zeros(S) on the CPU and in the default dtype.

expect: fail device; float64
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    V = torch.zeros(P.shape[0])
    for _ in range(num_iters):
        Q = R + gamma * (P @ V)
        V = Q.max(dim=1).values
    return V, Q.argmax(dim=1)


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + gamma * Q[s_next].max()
    new = Q.clone()
    new[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return new
