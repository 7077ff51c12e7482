"""BUG: new nn.Parameters assigned to the layers: the values are right, but the caller's tensors (and an
optimiser's) are left behind.

expect: fail same tensors updated
"""
import torch
from torch import nn


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    largest = num_samples.index(max(num_samples))
    params = dict(global_model.named_parameters())
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            value = (sum(s[name] * (n / total) for s, n in zip(client_states, num_samples))
                     if target.is_floating_point() else client_states[largest][name])
            if name in params:
                index, attr = name.split(".")
                global_model[int(index)].register_parameter(
                    attr, nn.Parameter(value.clone(), requires_grad=params[name].requires_grad))
            else:
                target.copy_(value)
