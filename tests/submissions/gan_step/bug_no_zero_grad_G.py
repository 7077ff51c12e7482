"""BUG: never clears G's gradients: from step 2 on, G is updated with the sum of every loss_G gradient so far.

expect: fail generator update
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_X = net_G(Z)
    fake_Y = net_D(fake_X.detach())
    loss_D = (loss(real_Y, torch.ones_like(real_Y)) + loss(fake_Y, torch.zeros_like(fake_Y))) / 2
    loss_D.backward()
    trainer_D.step()

    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, torch.ones_like(fake_Y))
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
