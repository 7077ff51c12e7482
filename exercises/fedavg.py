"""Exercise fedavg (beyond D2L 13.5; McMahan et al. 2017): federated averaging of client state_dicts."""

import torch


def fedavg(global_model: torch.nn.Module, client_states: list, num_samples: list) -> None:
    """One round of federated averaging (FedAvg): the clients' states, weighted by their sample counts,
    written into global_model in place.

    H. B. McMahan, E. Moore, D. Ramage, S. Hampson and B. Agüera y Arcas, Communication-Efficient
    Learning of Deep Networks from Decentralized Data (AISTATS 2017): https://arxiv.org/abs/1602.05629
    Beside D2L 13.5 (training on several GPUs: an allreduce sums the devices' gradients every step; here
    whole models trained apart are averaged once a round):
    https://d2l.ai/chapter_computational-performance/multiple-gpus.html

    What to implement
        client_states is a list of K plain dicts {name: tensor}, each with the keys, shapes and dtypes
        of global_model.state_dict(); num_samples is a list of K positive ints, n_k the number of
        training examples client k holds, and n = sum(num_samples).
        - Every floating-point entry (the parameters, BatchNorm's running_mean and running_var):
              W <- sum_k (n_k / n) * W_k
        - Every entry that is not floating point (BatchNorm's int64 num_batches_tracked) is taken
          whole from the client with the most samples; on a tie, the first such client
          (num_samples.index(max(num_samples))). Never averaged.
        Return None.

    Conventions
        - In place: write into the tensors global_model already holds (they stay the same objects;
          copy_ or load_state_dict, never new nn.Parameters), inside torch.no_grad(), so its parameters
          stay leaves with no autograd history, whether or not they or the clients' tensors require grad.
        - client_states and num_samples are not changed.
        - Each tensor keeps its dtype: a float64 model is averaged in float64 precision.
        - Keys that differ (between clients, or from global_model's) are a caller's mistake worth
          refusing with a ValueError that names the first differing key; this is advice, not graded.

    Forbidden
        torch.optim.swa_utils (AveragedModel, get_ema_multi_avg_fn, get_ema_avg_fn) and torch.distributed's
        collectives (all_reduce, reduce, ...). Allowed: copy_, mul_, add_, torch.stack, sum, state_dict(),
        load_state_dict().
    """
    raise NotImplementedError("fedavg: fill in this function")
