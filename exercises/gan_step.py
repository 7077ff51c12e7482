"""Exercise gan_step (D2L 20.1): write one training step of a generative adversarial network."""

import torch


def gan_step(X: torch.Tensor, Z: torch.Tensor, net_D: torch.nn.Module, net_G: torch.nn.Module,
             loss, trainer_D: torch.optim.Optimizer,
             trainer_G: torch.optim.Optimizer) -> tuple[float, float]:
    """Update the discriminator, then the generator, once; return (loss_D, loss_G) as Python floats.

    D2L 20.1, generative adversarial networks (update_D and update_G):
    https://d2l.ai/chapter_generative-adversarial-networks/gan.html

    What to implement, in this order
        1. Discriminator. Clear D's gradients (trainer_D.zero_grad()). With fake = net_G(Z):
               loss_D = (loss(net_D(X), ones) + loss(net_D(fake.detach()), zeros)) / 2
           then loss_D.backward() and trainer_D.step(). The .detach() keeps any gradient
           from reaching G in this half.
        2. Generator. Clear G's gradients (trainer_G.zero_grad()), then
               loss_G = loss(net_D(net_G(Z)), ones)
           scored by the discriminator as it is after step 1; loss_G.backward() and
           trainer_G.step().

    Shapes and conventions
        X is a batch of real data, Z a batch of noise (the generator's input). `ones` and
        `zeros` are labels shaped like the discriminator's output, on X's device with X's
        dtype. `loss` is a loss module such as nn.BCEWithLogitsLoss(reduction='sum'), as in
        the book; trainer_D and trainer_G are the optimisers of net_D and net_G.
        Return the losses with loss.item(): float() of a tensor that requires grad warns.
        Several consecutive steps are compared with the book's loop, so leftover gradients
        (a missing zero_grad), a wrong order or a wrong optimiser all show.

    Forbidden
        nothing: the exercise is the order of operations.
    """
    raise NotImplementedError("gan_step: fill in this function")
