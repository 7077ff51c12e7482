"""Exercise adam (D2L 12.9-12.10): write Adadelta, Adam with bias correction, and AdamW with decoupled weight decay."""

import torch


def init_adadelta_states(feature_dim: int):
    """Return the Adadelta states ((s_w, delta_w), (s_b, delta_b)) for the book's linear model.

    D2L 12.9, Adadelta: https://d2l.ai/chapter_optimization/adadelta.html

    What to implement
        Four new, separate zero tensors, float32 on the CPU: s_w and delta_w of shape
        (feature_dim, 1), s_b and delta_b of shape (1,).

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("init_adadelta_states: fill in this function")


def adadelta(params, states, hyperparams) -> None:
    """One step of Adadelta, in place, for every parameter; returns nothing.

    D2L 12.9, Adadelta: https://d2l.ai/chapter_optimization/adadelta.html

    What to implement
        hyperparams has 'rho' (Adadelta has no learning rate). With eps = 1e-5 and
        g = p.grad, for each parameter p with states (s, delta):
            s = rho * s + (1 - rho) * g ** 2
            g2 = sqrt(delta + eps) / sqrt(s + eps) * g
            p = p - g2
            delta = rho * delta + (1 - rho) * g2 ** 2
        then zero p's gradient (p.grad.zero_(); p.grad = None is accepted too).

    Conventions
        - In place, under torch.no_grad(): write into p, s and delta (p -= ..., s[:] = ...),
          so the same tensors carry on to the next step and p stays a leaf that requires grad.
        - delta is updated with the rescaled step g2, after p.
        - Do not change hyperparams. Any dtype, any device.
        - Editions: 12.9 in the English editions, 11.9 in the Chinese second edition; the code
          is the same.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("adadelta: fill in this function")


def init_adam_states(feature_dim: int):
    """Return the Adam states ((v_w, s_w), (v_b, s_b)) for the book's linear model.

    D2L 12.10, Adam: https://d2l.ai/chapter_optimization/adam.html
    (this exercise covers 12.9-12.10, from https://d2l.ai/chapter_optimization/adadelta.html)

    What to implement
        Four new, separate zero tensors, float32 on the CPU: v_w and s_w of shape
        (feature_dim, 1), v_b and s_b of shape (1,). adamw uses these states too.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("init_adam_states: fill in this function")


def adam(params, states, hyperparams) -> None:
    """One step of Adam, in place, for every parameter; then count the step in hyperparams['t'].

    D2L 12.10, Adam: https://d2l.ai/chapter_optimization/adam.html
    (this exercise covers 12.9-12.10, from https://d2l.ai/chapter_optimization/adadelta.html)

    What to implement
        hyperparams has 'lr' and 't' (the book starts t at 1). With beta1 = 0.9,
        beta2 = 0.999, eps = 1e-6 and g = p.grad, for each parameter p with states (v, s):
            v = beta1 * v + (1 - beta1) * g
            s = beta2 * s + (1 - beta2) * g ** 2
            v_hat = v / (1 - beta1 ** t)
            s_hat = s / (1 - beta2 ** t)
            p = p - lr * v_hat / (sqrt(s_hat) + eps)
        then zero p's gradient. After ALL parameters are updated, hyperparams['t'] += 1.

    Conventions
        - Here eps sits OUTSIDE the square root (unlike Adagrad and RMSProp in 12.7-12.8).
        - Bias correction uses the same t for every parameter of one step: count t up once
          per call, not once per parameter.
        - In place and under torch.no_grad(), as in adadelta. Any dtype, any device.

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("adam: fill in this function")


def adamw(params, states, hyperparams) -> None:
    """One step of AdamW (Adam with decoupled weight decay), in place; then count t up.

    D2L 12.10, Adam: https://d2l.ai/chapter_optimization/adam.html
    (this exercise covers 12.9-12.10, from https://d2l.ai/chapter_optimization/adadelta.html;
    AdamW is the course's addition: Loshchilov and Hutter, "Decoupled Weight Decay Regularization")

    What to implement
        hyperparams has 'lr', 't' and 'wd'; the states come from init_adam_states. Compute
        v, s, v_hat and s_hat exactly as adam does, from the plain gradient g = p.grad, then
            p = p - lr * (v_hat / (sqrt(s_hat) + eps) + wd * p)
        where wd * p uses p as it was before this step. Zero p's gradient; after all
        parameters, hyperparams['t'] += 1.

    Conventions
        - Decoupled: the decay never enters the gradient. Adam with L2 regularisation adds
          wd * p to g before the moments (g = p.grad + wd * p), which is a different optimiser;
          the grader tells the two apart.
        - Same beta1, beta2 and eps as adam; equal to
          torch.optim.AdamW(lr, betas=(0.9, 0.999), eps=1e-6, weight_decay=wd).

    Forbidden
        everything in torch.optim.
    """
    raise NotImplementedError("adamw: fill in this function")
