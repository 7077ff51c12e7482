"""BUG: scores the fake batch without .detach() in D's half, in the book's order otherwise.

D's loss then sends gradients into G. G's zero_grad comes later, so losses and parameters match the
book; only the contract line "no gradient reaches G in this half" shows it.
expect: fail no gradient into G from D's loss
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_X = net_G(Z)
    fake_Y = net_D(fake_X)
    ones = torch.ones_like(real_Y)
    zeros = torch.zeros_like(fake_Y)
    loss_D = (loss(real_Y, ones) + loss(fake_Y, zeros)) / 2
    loss_D.backward()
    trainer_D.step()

    trainer_G.zero_grad()
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, ones)
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
