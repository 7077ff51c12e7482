"""BUG: (cheating): builds torch.optim.SGD through getattr with a built name and steps it.
expect: fail code rules
"""
import torch


def init_momentum_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def sgd_momentum(params, states, hyperparams):
    package = getattr(torch, "op" + "tim")
    opt = getattr(package, "S" + "GD")(params, lr=hyperparams['lr'], momentum=hyperparams['momentum'])
    for p, v in zip(params, states):
        if v.any():
            opt.state[p]["momentum_buffer"] = v.clone()
    opt.step()
    for p, v in zip(params, states):
        v[:] = opt.state[p]["momentum_buffer"]
        p.grad.zero_()


def init_adagrad_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] += torch.square(p.grad)
            p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_rmsprop_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def rmsprop(params, states, hyperparams):
    gamma, eps = hyperparams['gamma'], 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
            p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()
