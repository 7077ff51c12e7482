"""Exercise decomposable_attention (D2L 16.5): the decomposable attention model's mlp, Attend and Compare."""

import torch
from torch import nn
from torch.nn import functional as F  # noqa: F401 - the book's F.softmax


def mlp(num_inputs, num_hiddens, flatten):
    """The book's two-layer MLP, used as f (Attend) and g (Compare).

    D2L 16.5, Natural Language Inference: Using Attention:
    https://d2l.ai/chapter_natural-language-processing-applications/natural-language-inference-attention.html

    What to implement
        Return nn.Sequential of, in this order:
            nn.Dropout(0.2), nn.Linear(num_inputs, num_hiddens), nn.ReLU(), [nn.Flatten(start_dim=1)],
            nn.Dropout(0.2), nn.Linear(num_hiddens, num_hiddens), nn.ReLU(), [nn.Flatten(start_dim=1)]
        where the two Flatten layers are there only when flatten is True.

    Conventions
        - The grader loads the reference's weights by the Sequential's indices: 1.weight, 1.bias and
          4.weight, 4.bias (5.weight, 5.bias with flatten=True), so keep the book's layers and order.
        - Graded after .eval(), where dropout is the identity.

    Forbidden: nothing; nn.Linear, nn.ReLU, nn.Dropout and nn.Flatten are the helper's parts.
    """
    raise NotImplementedError("mlp: fill in this function")


class Attend(nn.Module):
    """Attending: soft alignment of each sequence with every token of the other.

    D2L 16.5, Attending:
    https://d2l.ai/chapter_natural-language-processing-applications/natural-language-inference-attention.html

    What to implement
        __init__(num_inputs, num_hiddens, **kwargs): self.f = mlp(num_inputs, num_hiddens, flatten=False)
        forward(A, B) -> (beta, alpha), with A of shape (batch, m, embed_size), B (batch, n, embed_size):
            e     = f(A) f(B)^T                  shape (batch, m, n)
            beta  = softmax(e over B's tokens) B        shape (batch, m, embed_size)
            alpha = softmax(e^T over A's tokens) A      shape (batch, n, embed_size)

    Conventions
        - num_inputs is embed_size; the attribute is named f (the grader loads f.1.weight, ...).
        - beta first, then alpha. m and n may differ.
        - Editions: the English and Chinese editions print the same PyTorch code, super(Attend,
          self).__init__(**kwargs) included; super().__init__(**kwargs) is as good.

    Forbidden: F.scaled_dot_product_attention, nn.MultiheadAttention (and every attention kernel):
    the attention pooling is the exercise.
    """

    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError("Attend: fill in this function (__init__ and forward)")

    def forward(self, A: torch.Tensor, B: torch.Tensor):
        raise NotImplementedError("Attend.forward: fill in this function")


class Compare(nn.Module):
    """Comparing: each token beside the other sequence's tokens aligned with it, through the mlp g.

    D2L 16.5, Comparing:
    https://d2l.ai/chapter_natural-language-processing-applications/natural-language-inference-attention.html

    What to implement
        __init__(num_inputs, num_hiddens, **kwargs): self.g = mlp(num_inputs, num_hiddens, flatten=False)
        forward(A, B, beta, alpha) -> (V_A, V_B):
            V_A = g([A, beta])     concatenated on the feature axis, shape (batch, m, num_hiddens)
            V_B = g([B, alpha])    shape (batch, n, num_hiddens)

    Conventions
        - num_inputs is 2 * embed_size (a token and its aligned vector); the attribute is named g.
        - The token first, then its aligned vector; one g for both sequences.

    Forbidden: nothing beyond Attend's.
    """

    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError("Compare: fill in this function (__init__ and forward)")

    def forward(self, A: torch.Tensor, B: torch.Tensor, beta: torch.Tensor, alpha: torch.Tensor):
        raise NotImplementedError("Compare.forward: fill in this function")
