"""BUG: updates V state by state inside a sweep (in place): later states read this sweep's values.

expect: fail values; synchronous sweeps; stochastic transitions; float64
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    S, A = R.shape
    V = torch.zeros(S, dtype=P.dtype, device=P.device)
    pi = torch.zeros(S, dtype=torch.int64, device=P.device)
    for _ in range(num_iters):
        for s in range(S):
            q = R[s] + gamma * (P[s] @ V)
            V[s] = q.max()
            pi[s] = q.argmax()
    return V, pi


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + gamma * Q[s_next].max()
    new = Q.clone()
    new[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return new
