"""Build the small GAN of a gan_step case (nets, optimisers, loss) from plain data.

Shared by the trusted parent (reference run) and the sandboxed child (learner run), so both start
from identical networks. Imports only torch.
"""

from __future__ import annotations

import torch
from torch import nn

_LAYERS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU}


def build_net(layers, state, device, dtype) -> nn.Sequential:
    modules = []
    for layer in layers:
        if layer[0] == "linear":
            modules.append(nn.Linear(int(layer[1]), int(layer[2])))
        else:
            modules.append(_LAYERS[layer[0]]())
    net = nn.Sequential(*modules).to(device=device, dtype=dtype)
    with torch.no_grad():
        for name, param in net.named_parameters():
            param.copy_(state[name].to(device=device, dtype=dtype))
    return net


def build_gan(spec: dict, device, dtype):
    """Return (net_D, net_G, loss, trainer_D, trainer_G) as the book's train loop makes them."""
    net_D = build_net(spec["D"], spec["D_state"], device, dtype)
    net_G = build_net(spec["G"], spec["G_state"], device, dtype)
    loss = nn.BCEWithLogitsLoss(reduction=spec.get("reduction", "sum"))
    if spec["optimizer"] == "adam":
        trainer_D = torch.optim.Adam(net_D.parameters(), lr=spec["lr_D"])
        trainer_G = torch.optim.Adam(net_G.parameters(), lr=spec["lr_G"])
    else:
        trainer_D = torch.optim.SGD(net_D.parameters(), lr=spec["lr_D"], momentum=spec.get("momentum", 0.0))
        trainer_G = torch.optim.SGD(net_G.parameters(), lr=spec["lr_G"], momentum=spec.get("momentum", 0.0))
    return net_D, net_G, loss, trainer_D, trainer_G


def run_gan_steps(gan_step, spec: dict, device, dtype, on_step=None):
    """Run len(spec['X']) consecutive steps; return losses and both nets' parameters after each."""
    net_D, net_G, loss, trainer_D, trainer_G = build_gan(spec, device, dtype)
    steps = []
    backward_into_G = [0]

    def count(grad):
        backward_into_G[0] += 1
        return grad
    first_G_param = next(iter(net_G.parameters()))
    first_G_param.register_hook(count)
    for X, Z in zip(spec["X"], spec["Z"]):
        backward_into_G[0] = 0
        X = X.to(device=device, dtype=dtype)
        Z = Z.to(device=device, dtype=dtype)
        losses = gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G)
        params = {f"net_D.{k}": v.detach().clone() for k, v in net_D.named_parameters()}
        params.update({f"net_G.{k}": v.detach().clone() for k, v in net_G.named_parameters()})
        steps.append({"losses": losses, "params": params, "G_backward_passes": backward_into_G[0]})
    return steps
