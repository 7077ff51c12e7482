"""Reference solution for the gan_step exercise (D2L 20.1): one training step of a GAN, discriminator first."""

import torch


def gan_step(X: torch.Tensor, Z: torch.Tensor, net_D: torch.nn.Module, net_G: torch.nn.Module,
             loss, trainer_D: torch.optim.Optimizer,
             trainer_G: torch.optim.Optimizer) -> tuple[float, float]:
    """Update the discriminator on real X and generated net_G(Z), then the generator; return (loss_D, loss_G)."""
    # 1. Discriminator: real data is labelled 1, generated data 0.
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_X = net_G(Z)
    # detach(): D's loss must not send gradients into G.
    fake_Y = net_D(fake_X.detach())
    ones = torch.ones(real_Y.shape, dtype=X.dtype, device=X.device)
    zeros = torch.zeros(fake_Y.shape, dtype=X.dtype, device=X.device)
    loss_D = (loss(real_Y, ones) + loss(fake_Y, zeros)) / 2
    loss_D.backward()
    trainer_D.step()

    # 2. Generator: it wants the (just updated) discriminator to label its output 1.
    trainer_G.zero_grad()
    fake_Y = net_D(net_G(Z))
    ones = torch.ones(fake_Y.shape, dtype=X.dtype, device=X.device)
    loss_G = loss(fake_Y, ones)
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
