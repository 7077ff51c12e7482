"""Attack (code rules off): every update handed to torch's functional optimisers (the `adadelta` of
torch.optim.adadelta and the `adam` of torch.optim.adam, with decoupled decay for AdamW), reached
through the globals of the switched-off classes' __init__. They are functions, not classes, so no
switched-off __init__ runs, and no Optimizer.step, so no profiler operator: their operators are an
honest in-place update.

exercise: adam
expect: fail forbidden routine
policy: refused
"""
import torch

_optim = getattr(torch, "op" + "tim")
_adadelta = getattr(_optim, "Ada" + "delta").__init__.__globals__["ada" + "delta"]
_adam = getattr(_optim, "Ad" + "am").__init__.__globals__["ad" + "am"]


def _states(feature_dim):
    return ((torch.zeros((feature_dim, 1)), torch.zeros((feature_dim, 1))), (torch.zeros(1), torch.zeros(1)))


init_adadelta_states = init_adam_states = _states


def _finish(params, hyperparams, name):
    print(f"BREACH: torch's functional {name} ran")
    for p in params:
        p.grad.data.zero_()
    if 't' in hyperparams:
        hyperparams['t'] += 1


def adadelta(params, states, hyperparams):
    with torch.no_grad():
        _adadelta(list(params), [p.grad for p in params], [s for s, _ in states], [d for _, d in states],
                  [torch.tensor(0.0) for _ in params], lr=1.0, rho=hyperparams['rho'], eps=1e-5,
                  weight_decay=0, maximize=False)
    _finish(params, hyperparams, "adadelta")


def _adam_step(params, states, hyperparams, wd):
    steps = [torch.tensor(float(hyperparams['t'] - 1)) for _ in params]
    with torch.no_grad():
        _adam(list(params), [p.grad for p in params], [v for v, _ in states], [s for _, s in states], [],
              steps, amsgrad=False, beta1=0.9, beta2=0.999, lr=hyperparams['lr'], weight_decay=wd, eps=1e-6,
              maximize=False, **({"decoupled_weight_decay": True} if wd else {}))
    _finish(params, hyperparams, "adam")


def adam(params, states, hyperparams):
    _adam_step(params, states, hyperparams, 0.0)


def adamw(params, states, hyperparams):
    _adam_step(params, states, hyperparams, hyperparams['wd'])
