"""Attack (code rules off): linear_regression's sgd done by torch.optim.SGD without its switched-off
__init__: the object is built by hand and SGD.step runs on it, and torch's functional sgd (reached
through the class's globals) is tried too. The operators are an honest in-place update.

exercise: linear_regression
expect: fail forbidden routine
policy: refused
"""
import torch

_cls = getattr(getattr(torch, "op" + "tim"), "S" + "GD")
_functional = _cls.__init__.__globals__["s" + "gd"]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def _by_hand(params, lr):
    optimizer = object.__new__(_cls)
    optimizer.defaults = dict(lr=lr, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                              maximize=False, foreach=False, differentiable=False, fused=None)
    optimizer.state = {}
    optimizer.param_groups = [dict(optimizer.defaults, params=list(params))]
    optimizer._optimizer_step_pre_hooks = {}
    optimizer._optimizer_step_post_hooks = {}
    optimizer.step()


def sgd(params, lr, batch_size):
    try:
        _by_hand(params, lr / batch_size)
        print("BREACH: SGD.step ran on an object built without __init__")
    except RuntimeError:
        with torch.no_grad():
            _functional(list(params), [p.grad for p in params], [None] * len(params), weight_decay=0,
                        momentum=0, lr=lr / batch_size, dampening=0, nesterov=False, maximize=False)
        print("BREACH: torch's functional sgd ran")
    for p in params:
        p.grad.zero_()
