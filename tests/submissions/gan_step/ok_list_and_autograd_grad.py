"""OK: computes G's gradients with torch.autograd.grad and assigns them, and returns a list.

expect: pass
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_Y = net_D(net_G(Z).detach())
    loss_D = (loss(real_Y, torch.ones_like(real_Y)) + loss(fake_Y, torch.zeros_like(fake_Y))) / 2
    loss_D.backward()
    trainer_D.step()

    params = list(net_G.parameters())
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, torch.ones_like(fake_Y))
    grads = torch.autograd.grad(loss_G, params)
    for p, g in zip(params, grads):
        p.grad = g
    trainer_G.step()
    return [loss_D.item(), loss_G.item()]
