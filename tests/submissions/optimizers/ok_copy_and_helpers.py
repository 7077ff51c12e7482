"""OK: one shared helper that computes the new values and copies them in with copy_, under a
no_grad decorator; the state is read through the caller's list by index.

expect: pass
"""
import torch


def _zeros(feature_dim):
    return torch.zeros(feature_dim, 1), torch.zeros(1)


init_momentum_states = init_adagrad_states = init_rmsprop_states = _zeros


def _apply(params, states, new_state, step):
    for i, p in enumerate(params):
        g = p.grad.detach().clone()
        states[i].copy_(new_state(states[i], g))
        p.copy_(p - step(states[i], g))
        p.grad.zero_()


@torch.no_grad()
def sgd_momentum(params, states, hyperparams):
    _apply(params, states, lambda v, g: hyperparams['momentum'] * v + g, lambda v, g: hyperparams['lr'] * v)


@torch.no_grad()
def adagrad(params, states, hyperparams):
    _apply(params, states, lambda s, g: s + g ** 2, lambda s, g: hyperparams['lr'] * g / (s + 1e-6) ** 0.5)


@torch.no_grad()
def rmsprop(params, states, hyperparams):
    gamma = hyperparams['gamma']
    _apply(params, states, lambda s, g: gamma * s + (1 - gamma) * g * g,
           lambda s, g: hyperparams['lr'] * g / torch.sqrt(s + 1e-6))
