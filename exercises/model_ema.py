"""Exercise model_ema (beyond D2L 12.6; Polyak averaging, timm's ModelEmaV2): the exponential moving average of a model."""

import torch


def ema_update(ema_model: torch.nn.Module, model: torch.nn.Module, gamma: float) -> None:
    """One step of the exponential moving average (EMA) of model's weights, written into ema_model in place.

    B. T. Polyak and A. B. Juditsky, Acceleration of Stochastic Approximation by Averaging (1992);
    timm's ModelEmaV2: https://github.com/huggingface/pytorch-image-models/blob/main/timm/utils/model_ema.py
    Beside D2L 12.6 (momentum: a leaky average of gradients; here a leaky average of the weights):
    https://d2l.ai/chapter_optimization/momentum.html

    What to implement
        ema_model and model have the same architecture (the same parameters and buffers, in the same
        order, shapes and dtypes). For every parameter and every floating-point buffer (BatchNorm's
        running_mean and running_var), with W the model's tensor and W_bar the EMA model's:
            W_bar <- gamma * W + (1 - gamma) * W_bar
        Every buffer that is not floating point (BatchNorm's integer num_batches_tracked) is copied:
            W_bar <- W
        Return None.

    Conventions
        - gamma is the weight of the *model* (small, e.g. 0.01). timm's `decay` is the weight of the
          EMA: ema = decay * ema + (1 - decay) * model, so decay = 1 - gamma. gamma = 1 copies the
          model; gamma = 0 leaves the EMA as it is.
        - In place: write into the tensors ema_model already holds (they stay the same objects; do not
          assign new nn.Parameters), inside torch.no_grad(), so the EMA's parameters stay leaves
          with no autograd history, whether or not they require grad.
        - model is not changed. An integer buffer keeps its dtype and takes the model's value.

    Forbidden
        torch.optim.swa_utils (AveragedModel, get_ema_multi_avg_fn, get_ema_avg_fn). Allowed: mul_,
        add_, lerp_, copy_, parameters(), buffers(), state_dict(), load_state_dict().
    """
    raise NotImplementedError("ema_update: fill in this function")
