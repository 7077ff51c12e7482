"""OK: computes every new value as a fresh tensor from .detach()ed inputs and copies it into the
caller's tensors with copy_ (p.data.copy_ needs no no_grad); sets p.grad = None instead of zeroing.

expect: pass
"""
import torch


def _pairs(feature_dim):
    w = (torch.zeros(feature_dim, 1), torch.zeros(feature_dim, 1))
    b = (torch.zeros(1), torch.zeros(1))
    return (w, b)


def init_adadelta_states(feature_dim):
    return _pairs(feature_dim)


def init_adam_states(feature_dim):
    return _pairs(feature_dim)


def adadelta(params, states, hyperparams):
    rho = hyperparams['rho']
    for p, (s, delta) in zip(params, states):
        g = p.grad.detach()
        new_s = rho * s + (1 - rho) * g ** 2
        rescaled = ((delta + 1e-5) / (new_s + 1e-5)) ** 0.5 * g
        new_delta = rho * delta + (1 - rho) * rescaled ** 2
        s.copy_(new_s)
        delta.copy_(new_delta)
        p.data.copy_(p.detach() - rescaled)
        p.grad = None


def _moments(p, v, s, t):
    g = p.grad.detach()
    v.copy_(0.9 * v + 0.1 * g)
    s.copy_(0.999 * s + 0.001 * g ** 2)
    return (v / (1 - 0.9 ** t)) / ((s / (1 - 0.999 ** t)) ** 0.5 + 1e-6)


def adam(params, states, hyperparams):
    for p, (v, s) in zip(params, states):
        p.data.copy_(p.detach() - hyperparams['lr'] * _moments(p, v, s, hyperparams['t']))
        p.grad = None
    hyperparams['t'] += 1


def adamw(params, states, hyperparams):
    lr, wd = hyperparams['lr'], hyperparams['wd']
    for p, (v, s) in zip(params, states):
        old = p.detach().clone()
        p.data.copy_(old - lr * _moments(p, v, s, hyperparams['t']) - lr * wd * old)
        p.grad = None
    hyperparams['t'] += 1
