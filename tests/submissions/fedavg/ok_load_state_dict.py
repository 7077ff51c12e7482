"""OK: the averaged state built as a new dict and written with load_state_dict (which copies into the
model's own tensors under no_grad).

expect: pass
"""
import torch


def fedavg(global_model, client_states, num_samples):
    n = sum(num_samples)
    first_largest = max(range(len(num_samples)), key=lambda k: num_samples[k])
    averaged = {}
    for name, current in global_model.state_dict().items():
        if current.dtype.is_floating_point:
            averaged[name] = sum((num_samples[k] / n) * client_states[k][name].detach()
                                 for k in range(len(client_states)))
        else:
            averaged[name] = client_states[first_largest][name].clone()
    global_model.load_state_dict(averaged)
