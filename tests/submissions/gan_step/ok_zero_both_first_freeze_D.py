"""OK: clears both nets' gradients at the start (safe, because the fake batch is detached in D's loss),
and freezes D while the generator's loss flows back through it.

expect: pass
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    net_D.zero_grad()
    net_G.zero_grad()
    fake = net_G(Z)
    real_Y, fake_Y = net_D(X), net_D(fake.detach())
    ones, zeros = torch.ones_like(real_Y), torch.zeros_like(fake_Y)
    loss_D = (loss(real_Y, ones) + loss(fake_Y, zeros)) / 2
    loss_D.backward()
    trainer_D.step()

    for p in net_D.parameters():
        p.requires_grad_(False)
    try:
        loss_G = loss(net_D(fake), ones)
        loss_G.backward()
    finally:
        for p in net_D.parameters():
            p.requires_grad_(True)
    trainer_G.step()
    return (loss_D.item(), loss_G.item())
