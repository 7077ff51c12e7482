"""BUG: moves the entry towards r first and adds the discounted maximum afterwards, read from the
already changed table: wrong when s_next == s.

expect: fail self-loop (s_next == s)
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    V = torch.zeros(P.shape[0], dtype=P.dtype, device=P.device)
    for _ in range(num_iters):
        Q = R + gamma * (P @ V)
        V = Q.max(dim=1).values
    return V, Q.argmax(dim=1)


def q_update(Q, s, a, r, s_next, alpha, gamma):
    new = Q.clone()
    new[s, a] = (1 - alpha) * Q[s, a] + alpha * r
    new[s, a] = new[s, a] + alpha * gamma * new[s_next].max()
    return new
