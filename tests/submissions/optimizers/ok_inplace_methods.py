"""OK: in-place tensor methods on .data instead of slice assignment, and p.grad = None instead of zeroing.

mul_/add_ on the state, sub_ on p.data, addcmul_ and addcdiv_ for Adagrad, lerp_ for RMSProp's leaky
average (s + (1 - gamma) * (g^2 - s) = gamma * s + (1 - gamma) * g^2).
expect: pass
"""
import torch


def init_momentum_states(feature_dim):
    return tuple(torch.zeros(shape) for shape in ((feature_dim, 1), (1,)))


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        v.mul_(hyperparams['momentum']).add_(p.grad)
        p.data.sub_(hyperparams['lr'] * v)
        p.grad = None


def init_adagrad_states(feature_dim):
    return tuple(torch.zeros(shape) for shape in ((feature_dim, 1), (1,)))


def adagrad(params, states, hyperparams):
    for p, s in zip(params, states):
        g = p.grad
        s.addcmul_(g, g)
        p.data.addcdiv_(g, (s + 1e-6).sqrt(), value=-hyperparams['lr'])
        p.grad = None


def init_rmsprop_states(feature_dim):
    return tuple(torch.zeros(shape) for shape in ((feature_dim, 1), (1,)))


def rmsprop(params, states, hyperparams):
    for p, s in zip(params, states):
        g = p.grad
        s.lerp_(g * g, 1 - hyperparams['gamma'])
        p.data.add_(-hyperparams['lr'] * g * torch.rsqrt(s + 1e-6))
        p.grad = None
