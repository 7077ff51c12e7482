"""BUG: no torch.no_grad(): copy_ into a parameter that requires grad raises.

expect: fail weighted average, integer buffers from the largest client, float64, no graph through the update
"""


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    largest = num_samples.index(max(num_samples))
    for name, p in global_model.named_parameters():
        p.copy_(sum(s[name] * (n / total) for s, n in zip(client_states, num_samples)))
    for name, b in global_model.named_buffers():
        b.copy_(sum(s[name] * (n / total) for s, n in zip(client_states, num_samples))
                if b.is_floating_point() else client_states[largest][name])
