"""BUG: creates the labels on the CPU whatever device X is on (device='cpu' hard-coded).

expect: fail device
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    n = X.shape[0]
    ones = torch.ones((n, 1), dtype=X.dtype, device="cpu")
    zeros = torch.zeros((n, 1), dtype=X.dtype, device="cpu")
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
