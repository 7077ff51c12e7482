"""Exercise multi_gpu (D2L 13.5): split a minibatch across devices, and all-reduce gradients in place."""

import torch


def split_batch(X, y, devices):
    """Split X and y along dim 0 into len(devices) shards, shard i on devices[i].

    D2L 13.5, training on multiple GPUs:
    https://d2l.ai/chapter_computational-performance/multiple-gpus.html

    Shard sizes as X.chunk(len(devices)) gives them (ceil(n / k) rows, the last shard fewer).
    Return (X_shards, y_shards), two lists of tensors. devices holds torch.device objects or
    strings ("cpu", "cuda:0"), possibly the same one several times.
    The book calls nn.parallel.scatter, which needs CUDA devices; write it by hand here.

    Forbidden: torch.nn.parallel (scatter, scatter_kwargs, comm, DataParallel), torch.cuda.comm
    (scatter, reduce_add, broadcast, broadcast_coalesced) and torch.distributed (all_reduce).
    Allowed: chunk, narrow, slicing, Tensor.to(device).
    """
    raise NotImplementedError("split_batch: fill in this function")


def allreduce(data):
    """Sum the tensors of data (data[i] on device i) and leave the sum in every one of them, in place.

    First add every data[i] into data[0] (moved to data[0]'s device), then copy data[0] back into
    every data[i] on its own device: data[i][:] = ..., not data[i] = ... (the caller holds these
    very tensors). Returns nothing.

    D2L 13.5, data synchronisation:
    https://d2l.ai/chapter_computational-performance/multiple-gpus.html

    Forbidden: as for split_batch, torch.nn.parallel, torch.cuda.comm (reduce_add, broadcast, ...)
    and torch.distributed (all_reduce). Allowed: +, add_, Tensor.to(device), copy_, slice assignment.
    """
    raise NotImplementedError("allreduce: fill in this function")
