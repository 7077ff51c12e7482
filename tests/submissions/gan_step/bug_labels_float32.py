"""BUG: labels made with torch.ones(shape) keep the default float32 even for float64 data, so
BCEWithLogitsLoss computes a float32 loss and the float64 run is right only to float32 precision.

expect: fail dtype
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_Y = net_D(net_G(Z).detach())
    ones = torch.ones(real_Y.shape, device=X.device)
    zeros = torch.zeros(fake_Y.shape, device=X.device)
    loss_D = (loss(real_Y, ones) + loss(fake_Y, zeros)) / 2
    loss_D.backward()
    trainer_D.step()

    trainer_G.zero_grad()
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, ones)
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
