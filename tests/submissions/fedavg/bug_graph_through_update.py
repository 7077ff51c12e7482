"""BUG: no torch.no_grad(), with the parameters' requires_grad dodged: a frozen global model gains a
graph from the clients' tensors that require grad (its tensors stop being leaves).

expect: fail no graph through the update
"""


def fedavg(global_model, client_states, num_samples):
    total = sum(num_samples)
    largest = num_samples.index(max(num_samples))
    for name, p in global_model.named_parameters():
        value = sum(s[name] * (n / total) for s, n in zip(client_states, num_samples))
        if p.requires_grad:
            p.detach().copy_(value)
        else:
            p.copy_(value)
    for name, b in global_model.named_buffers():
        if b.is_floating_point():
            b.copy_(sum(s[name] * (n / total) for s, n in zip(client_states, num_samples)))
        else:
            b.copy_(client_states[largest][name])
