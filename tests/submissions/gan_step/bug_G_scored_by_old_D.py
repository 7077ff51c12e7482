"""BUG: computes both losses first, then both backward passes, then both optimiser steps. G is scored
by D before D's update, and loss_G.backward() adds its gradients to D's before trainer_D.step().

expect: fail generator loss, discriminator update
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    trainer_G.zero_grad()
    real_Y = net_D(X)
    fake_X = net_G(Z)
    fake_Y = net_D(fake_X.detach())
    loss_D = (loss(real_Y, torch.ones_like(real_Y)) + loss(fake_Y, torch.zeros_like(fake_Y))) / 2
    fake_Y_G = net_D(fake_X)
    loss_G = loss(fake_Y_G, torch.ones_like(fake_Y_G))
    loss_D.backward()
    loss_G.backward()
    trainer_D.step()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
