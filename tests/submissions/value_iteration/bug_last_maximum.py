"""BUG: a loop over actions that keeps the last maximum (>=): ties go to the highest action.

expect: fail ties to the lowest action
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    S, A = R.shape
    V = torch.zeros(S, dtype=P.dtype, device=P.device)
    for _ in range(num_iters):
        Q = R + gamma * (P @ V)
        V = Q.max(dim=1).values
    pi = torch.zeros(S, dtype=torch.int64, device=P.device)
    for s in range(S):
        for a in range(A):
            if Q[s, a] >= Q[s, pi[s]]:
                pi[s] = a
    return V, pi


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + gamma * Q[s_next].max()
    new = Q.clone()
    new[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return new
