"""OK: labels with torch.full_like, gradients zeroed in place (set_to_none=False), float() to return.

expect: pass
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad(set_to_none=False)
    real_Y = net_D(X)
    fake = net_G(Z)
    fake_Y = net_D(fake.detach())
    loss_D = 0.5 * loss(real_Y, torch.full_like(real_Y, 1.0)) + 0.5 * loss(fake_Y, torch.full_like(fake_Y, 0.0))
    loss_D.backward()
    trainer_D.step()

    trainer_G.zero_grad(set_to_none=False)
    scores = net_D(net_G(Z))
    loss_G = loss(scores, torch.full_like(scores, 1.0))
    loss_G.backward()
    trainer_G.step()
    return float(loss_D.detach()), float(loss_G.detach())
