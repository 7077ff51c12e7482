"""Reference solution for the optimizers exercise (D2L 12.6-12.8): momentum, Adagrad and RMSProp from scratch."""

import torch


def init_momentum_states(feature_dim: int):
    """The book's velocity states for a (feature_dim, 1) weight and a (1,) bias: zeros."""
    v_w = torch.zeros((feature_dim, 1))
    v_b = torch.zeros(1)
    return (v_w, v_b)


def sgd_momentum(params, states, hyperparams) -> None:
    """v = momentum * v + g; p -= lr * v; in place, then the gradients are zeroed."""
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = hyperparams['momentum'] * v + p.grad
            p[:] -= hyperparams['lr'] * v
        p.grad.data.zero_()


def init_adagrad_states(feature_dim: int):
    """The book's sums of squared gradients for a (feature_dim, 1) weight and a (1,) bias: zeros."""
    s_w = torch.zeros((feature_dim, 1))
    s_b = torch.zeros(1)
    return (s_w, s_b)


def adagrad(params, states, hyperparams) -> None:
    """s += g ** 2; p -= lr * g / sqrt(s + eps) with the book's eps = 1e-6 inside the root."""
    eps = 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] += torch.square(p.grad)
            p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_rmsprop_states(feature_dim: int):
    """The book's leaky averages of squared gradients for a (feature_dim, 1) weight and a (1,) bias."""
    s_w = torch.zeros((feature_dim, 1))
    s_b = torch.zeros(1)
    return (s_w, s_b)


def rmsprop(params, states, hyperparams) -> None:
    """s = gamma * s + (1 - gamma) * g ** 2; p -= lr * g / sqrt(s + eps), eps = 1e-6 inside."""
    gamma, eps = hyperparams['gamma'], 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
            p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()
