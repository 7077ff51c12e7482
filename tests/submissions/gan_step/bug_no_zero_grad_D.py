"""BUG: never clears D's gradients, so each step's D update also uses the previous step's gradients
(loss_D's and loss_G's, which flows back through D too). Step 1 matches; step 2 does not.

expect: fail discriminator update
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    real_Y = net_D(X)
    fake_X = net_G(Z)
    fake_Y = net_D(fake_X.detach())
    ones = torch.ones_like(real_Y)
    zeros = torch.zeros_like(fake_Y)
    loss_D = (loss(real_Y, ones) + loss(fake_Y, zeros)) / 2
    loss_D.backward()
    trainer_D.step()

    trainer_G.zero_grad()
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, torch.ones_like(fake_Y))
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
