"""BUG: the first client's state used as the accumulator: the caller's dict is changed in place.

expect: fail no mutation
"""
import torch


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    largest = num_samples.index(max(num_samples))
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            if target.is_floating_point():
                acc = client_states[0][name].mul_(num_samples[0] / total)
                for s, n in zip(client_states[1:], num_samples[1:]):
                    acc.add_(s[name], alpha=n / total)
                target.copy_(acc)
            else:
                target.copy_(client_states[largest][name])
