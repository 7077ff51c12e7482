"""BUG: the policy is the argmax of one more sweep computed from the returned V.

expect: fail policy of the last sweep
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    V = torch.zeros(P.shape[0], dtype=P.dtype, device=P.device)
    for _ in range(num_iters):
        V = (R + gamma * (P @ V)).max(dim=1).values
    return V, (R + gamma * (P @ V)).argmax(dim=1)


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + gamma * Q[s_next].max()
    new = Q.clone()
    new[s, a] = Q[s, a] + alpha * (y - Q[s, a])
    return new
