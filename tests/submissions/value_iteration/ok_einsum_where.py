"""OK: einsum for the expectation and torch.where for the update, no clone.

expect: pass
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    V = P.new_zeros(P.shape[0])
    for _ in range(num_iters):
        Q = R + gamma * torch.einsum("sat,t->sa", P, V)
        V, pi = Q.max(dim=1)
    return V, pi


def q_update(Q, s, a, r, s_next, alpha, gamma):
    target = Q[s, a] + alpha * (r + gamma * Q[s_next].amax() - Q[s, a])
    rows = torch.arange(Q.shape[0], device=Q.device)[:, None]
    cols = torch.arange(Q.shape[1], device=Q.device)[None, :]
    return torch.where((rows == s) & (cols == a), target, Q)
