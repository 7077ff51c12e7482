"""OK: scores real and fake data as one concatenated batch. With reduction='sum' the loss of the
concatenation is the sum of the two terms, so halving it gives the book's loss_D.

expect: pass
"""
import torch


def gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    trainer_D.zero_grad()
    with torch.no_grad():
        fake = net_G(Z)
    both = torch.cat([X, fake])
    Y = net_D(both)
    labels = torch.cat([torch.ones(X.shape[0], 1), torch.zeros(fake.shape[0], 1)]).to(Y)
    loss_D = loss(Y, labels) / 2
    loss_D.backward()
    trainer_D.step()

    trainer_G.zero_grad()
    fake_Y = net_D(net_G(Z))
    loss_G = loss(fake_Y, torch.ones_like(fake_Y))
    loss_G.backward()
    trainer_G.step()
    return loss_D.item(), loss_G.item()
