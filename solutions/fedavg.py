"""Reference solution for the fedavg exercise (McMahan et al. 2017): client states averaged into a model."""

import torch


def fedavg(global_model: torch.nn.Module, client_states: list, num_samples: list) -> None:
    """Floating entries: sum_k (n_k / n) * state_k; integer entries: the first largest client's."""
    total = sum(num_samples)
    largest = num_samples.index(max(num_samples))  # the first client with the most samples
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            if target.is_floating_point():
                target.copy_(sum(state[name] * (n / total) for state, n in zip(client_states, num_samples)))
            else:  # num_batches_tracked: a count, taken whole from one client
                target.copy_(client_states[largest][name])
