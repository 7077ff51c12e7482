"""BUG: labels of shape (batch,) while D's output is (batch, 1): BCEWithLogitsLoss refuses the mismatch.

expect: fail discriminator loss, generator loss
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    batch_size = X.shape[0]
    ones = torch.ones(batch_size, device=X.device, dtype=X.dtype)
    zeros = torch.zeros(batch_size, device=X.device, dtype=X.dtype)
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_Y = net_D(net_G(Z).detach())
    loss_D = (loss(real_Y, ones) + loss(fake_Y, zeros)) / 2
    loss_D.backward()
    trainer_D.step()

    trainer_G.zero_grad()
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, ones)
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
