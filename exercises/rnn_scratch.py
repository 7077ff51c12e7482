"""Exercise rnn_scratch (D2L 9.5): a recurrent neural network from scratch, and gradient clipping."""

import torch


def rnn(inputs: torch.Tensor, state, params):
    """Run the book's RNN over every time step; return (outputs, (H,)).

    D2L 9.5 (8.5 in the Chinese second edition), recurrent neural networks from scratch:
    https://d2l.ai/chapter_recurrent-neural-networks/rnn-scratch.html

    What to implement
        W_xh, W_hh, b_h, W_hq, b_q = params
        for each time step X of inputs, in order:
            H = tanh(X @ W_xh + H @ W_hh + b_h)
            Y = H @ W_hq + b_q
        return torch.cat(all the Y, dim=0), (H,)

    Shapes
        inputs (num_steps, batch, vocab): time comes first (the book one-hot encodes X.T);
        state = (H,), a one-element tuple, H (batch, num_hiddens);
        W_xh (vocab, num_hiddens), W_hh (num_hiddens, num_hiddens), b_h (num_hiddens,),
        W_hq (num_hiddens, num_outputs), b_q (num_outputs,).
        The outputs are (num_steps * batch, num_outputs): the rows of step 0, then step 1, ...
        The state returned is the one after the last step, again a tuple (H,).

    Conventions
        - This is the classic English edition's and the Chinese second edition's function. The
          newer English edition wraps it in a class (RNNScratch) that returns a list of outputs;
          this course follows the function.
        - Gradients must flow to inputs, H and every parameter, through every step: no .detach().
        - Modify nothing in place.

    Forbidden
        nn.RNN, nn.RNNCell, torch.rnn_tanh, torch.rnn_tanh_cell (and the relu ones).
    """
    raise NotImplementedError("rnn: fill in this function")


def grad_clipping(params, theta: float) -> None:
    """Clip the gradients of params by their global norm, in place.

    D2L 9.5, gradient clipping:
    https://d2l.ai/chapter_recurrent-neural-networks/rnn-scratch.html

    What to implement
        norm = sqrt(sum over every parameter p of (p.grad ** 2).sum())
        if norm > theta: multiply every p.grad by theta / norm, in place

    Conventions
        - One norm over all the gradients together, not one norm per parameter: the clipped
          gradients keep their directions relative to each other.
        - Only when the norm exceeds theta: smaller gradients are left exactly as they are.
        - In place: the caller reads p.grad afterwards (p.grad[:] *= ..., or p.grad.mul_(...)).
          The parameters themselves do not change.
        - The book's grad_clipping(net, theta) takes the model and reads its parameters; here
          you get the list of parameters directly.

    Forbidden
        torch.nn.utils.clip_grad_norm_ (and clip_grad_norm, clip_grads_with_norm_, get_total_norm).
    """
    raise NotImplementedError("grad_clipping: fill in this function")
