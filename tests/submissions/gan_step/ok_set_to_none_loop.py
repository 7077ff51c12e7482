"""OK: clears gradients by hand, setting every parameter's .grad to None (what zero_grad() does).

expect: pass
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    for p in net_D.parameters():
        p.grad = None
    real_Y = net_D(X)
    fake_Y = net_D(net_G(Z).detach())
    loss_D = (loss(real_Y, torch.ones_like(real_Y)) + loss(fake_Y, torch.zeros_like(fake_Y))) / 2
    loss_D.backward()
    trainer_D.step()

    for p in net_G.parameters():
        p.grad = None
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, torch.ones_like(fake_Y))
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
