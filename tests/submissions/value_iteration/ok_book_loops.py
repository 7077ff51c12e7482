"""OK: the book's loops over states, actions and next states (D2L 17.2), keeping V and pi per sweep,
and the book's Q-learning line written as (1 - alpha) * Q + alpha * y.

expect: pass
"""
import torch


def value_iteration(P, R, gamma, num_iters):
    num_states, num_actions = R.shape
    V = torch.zeros((num_iters + 1, num_states), dtype=P.dtype, device=P.device)
    Q = torch.zeros((num_iters + 1, num_states, num_actions), dtype=P.dtype, device=P.device)
    pi = torch.zeros((num_iters + 1, num_states), dtype=torch.int64, device=P.device)
    for k in range(1, num_iters + 1):
        for s in range(num_states):
            for a in range(num_actions):
                Q[k, s, a] = R[s, a] + gamma * (P[s, a] * V[k - 1]).sum()
            V[k, s] = torch.max(Q[k, s, :])
            pi[k, s] = torch.argmax(Q[k, s, :])
    return V[num_iters], pi[num_iters]


def q_update(Q, s, a, r, s_next, alpha, gamma):
    y = r + gamma * torch.max(Q[s_next, :])
    new = Q.clone()
    new[s, a] = (1 - alpha) * Q[s, a] + alpha * y
    return new
