"""OK: the bias corrections folded into the step size and the denominator, as torch.optim.Adam
computes them (lr / (1 - beta1^t) and sqrt(s) / sqrt(1 - beta2^t) + eps), with lerp_ and addcmul_;
AdamW decays p first with p.mul_(1 - lr * wd), which uses p from before the step as well.

expect: pass
"""
import math

import torch


def init_adadelta_states(feature_dim):
    return tuple((torch.zeros(shape), torch.zeros(shape)) for shape in ((feature_dim, 1), (1,)))


def adadelta(params, states, hyperparams):
    rho = hyperparams['rho']
    with torch.no_grad():
        for p, (s, delta) in zip(params, states):
            g = p.grad
            s.mul_(rho).addcmul_(g, g, value=1 - rho)
            step = (delta + 1e-5).sqrt().div_((s + 1e-5).sqrt()).mul_(g)
            p.sub_(step)
            delta.mul_(rho).addcmul_(step, step, value=1 - rho)
            g.zero_()


def init_adam_states(feature_dim):
    return tuple((torch.zeros(shape), torch.zeros(shape)) for shape in ((feature_dim, 1), (1,)))


def _adam_step(p, v, s, lr, t):
    g = p.grad
    v.lerp_(g, 0.1)
    s.mul_(0.999).addcmul_(g, g, value=0.001)
    step_size = lr / (1 - 0.9 ** t)
    denom = s.sqrt() / math.sqrt(1 - 0.999 ** t) + 1e-6
    p.addcdiv_(v, denom, value=-step_size)
    g.zero_()


def adam(params, states, hyperparams):
    t = hyperparams['t']
    with torch.no_grad():
        for p, (v, s) in zip(params, states):
            _adam_step(p, v, s, hyperparams['lr'], t)
    hyperparams['t'] = t + 1


def adamw(params, states, hyperparams):
    lr, wd, t = hyperparams['lr'], hyperparams['wd'], hyperparams['t']
    with torch.no_grad():
        for p, (v, s) in zip(params, states):
            p.mul_(1 - lr * wd)
            _adam_step(p, v, s, lr, t)
    hyperparams['t'] = t + 1
