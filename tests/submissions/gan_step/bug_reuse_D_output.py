"""BUG: reuses D's output on the (undetached) fake batch, computed before D's update, for loss_G.
Backward through it after trainer_D.step() changed D's weights in place raises an autograd error.

expect: fail generator loss
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_Y = net_D(net_G(Z))
    loss_D = (loss(real_Y, torch.ones_like(real_Y)) + loss(fake_Y, torch.zeros_like(fake_Y))) / 2
    loss_D.backward(retain_graph=True)
    trainer_D.step()

    trainer_G.zero_grad()
    loss_G = loss(fake_Y, torch.ones_like(fake_Y))
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
