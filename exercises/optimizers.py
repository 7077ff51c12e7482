"""Exercise optimizers (D2L 12.6-12.8): write momentum, Adagrad and RMSProp from scratch, in the book's style."""

import torch


def init_momentum_states(feature_dim: int):
    """Return the momentum states (v_w, v_b) for the book's linear-regression model.

    D2L 12.6, momentum: https://d2l.ai/chapter_optimization/momentum.html

    What to implement
        Two new zero tensors: v_w of shape (feature_dim, 1) for the weight and v_b of shape
        (1,) for the bias, float32 on the CPU (torch.zeros), one tensor each (not the same
        tensor twice).

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("init_momentum_states: fill in this function")


def sgd_momentum(params, states, hyperparams) -> None:
    """One step of SGD with momentum, in place, for every parameter; returns nothing.

    D2L 12.6, momentum: https://d2l.ai/chapter_optimization/momentum.html

    What to implement
        params is a list of tensors that require grad and hold their gradient in p.grad;
        states holds one velocity per parameter, in the same order; hyperparams is a dict
        with 'lr' and 'momentum'. For each parameter p with velocity v and gradient g:
            v = momentum * v + g
            p = p - lr * v
        then zero p's gradient (p.grad.zero_(); p.grad = None is accepted too).

    Conventions
        - In place: write into v and p (v[:] = ..., p -= ...), under torch.no_grad(), so the
          same tensors carry on to the next step and p stays a leaf that requires grad.
          Rebinding a name (v = ...) loses the update.
        - This is the book's form (the velocity sums gradients, no (1 - momentum) factor),
          which equals torch.optim.SGD(lr=lr, momentum=momentum).
        - Do not change hyperparams. Any dtype, any device.
        - Editions: 12.6 in the English editions, 11.6 in the Chinese second edition; the code
          is the same.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("sgd_momentum: fill in this function")


def init_adagrad_states(feature_dim: int):
    """Return the Adagrad states (s_w, s_b) for the book's linear-regression model.

    D2L 12.7, Adagrad: https://d2l.ai/chapter_optimization/adagrad.html
    (this exercise covers 12.6-12.8, from https://d2l.ai/chapter_optimization/momentum.html)

    What to implement
        Two new zero tensors: s_w of shape (feature_dim, 1) and s_b of shape (1,), float32
        on the CPU.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("init_adagrad_states: fill in this function")


def adagrad(params, states, hyperparams) -> None:
    """One step of Adagrad, in place, for every parameter; returns nothing.

    D2L 12.7, Adagrad: https://d2l.ai/chapter_optimization/adagrad.html
    (this exercise covers 12.6-12.8, from https://d2l.ai/chapter_optimization/momentum.html)

    What to implement
        hyperparams has 'lr'. With eps = 1e-6 and g = p.grad, for each parameter p with
        state s:
            s = s + g ** 2
            p = p - lr * g / sqrt(s + eps)
        then zero p's gradient.

    Conventions
        - eps sits INSIDE the square root, as in the book. torch.optim.Adagrad divides by
          sqrt(s) + eps instead, so it is not a drop-in check.
        - In place and under torch.no_grad(), as in sgd_momentum. Any dtype, any device.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("adagrad: fill in this function")


def init_rmsprop_states(feature_dim: int):
    """Return the RMSProp states (s_w, s_b) for the book's linear-regression model.

    D2L 12.8, RMSProp: https://d2l.ai/chapter_optimization/rmsprop.html
    (this exercise covers 12.6-12.8, from https://d2l.ai/chapter_optimization/momentum.html)

    What to implement
        Two new zero tensors: s_w of shape (feature_dim, 1) and s_b of shape (1,), float32
        on the CPU.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("init_rmsprop_states: fill in this function")


def rmsprop(params, states, hyperparams) -> None:
    """One step of RMSProp, in place, for every parameter; returns nothing.

    D2L 12.8, RMSProp: https://d2l.ai/chapter_optimization/rmsprop.html
    (this exercise covers 12.6-12.8, from https://d2l.ai/chapter_optimization/momentum.html)

    What to implement
        hyperparams has 'lr' and 'gamma'. With eps = 1e-6 and g = p.grad, for each
        parameter p with state s:
            s = gamma * s + (1 - gamma) * g ** 2
            p = p - lr * g / sqrt(s + eps)
        then zero p's gradient.

    Conventions
        - eps sits INSIDE the square root, as in the book; torch.optim.RMSprop (whose alpha
          is our gamma) puts it outside.
        - gamma weights the OLD state: gamma = 0.9 keeps 90% of s.
        - In place and under torch.no_grad(), as in sgd_momentum. Any dtype, any device.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("rmsprop: fill in this function")
