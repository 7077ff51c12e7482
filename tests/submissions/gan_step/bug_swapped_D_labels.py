"""BUG: labels real data 0 and fake data 1 in D's loss (the two labels swapped).

expect: fail discriminator loss, discriminator update
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_Y = net_D(net_G(Z).detach())
    loss_D = (loss(real_Y, torch.zeros_like(real_Y)) + loss(fake_Y, torch.ones_like(fake_Y))) / 2
    loss_D.backward()
    trainer_D.step()

    trainer_G.zero_grad()
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, torch.ones_like(fake_Y))
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
