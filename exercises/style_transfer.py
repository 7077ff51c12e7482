"""Exercise style_transfer (D2L 14.12): write the content, Gram, style and total variation losses."""

import torch


def content_loss(Y_hat: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """Return the content loss: the mean squared difference between Y_hat and the target Y.

    D2L 14.12, neural style transfer: https://d2l.ai/chapter_computer-vision/neural-style.html

    What to implement
        ((Y_hat - Y) ** 2).mean(), over every element: a 0-dimensional tensor (no / 2, no sum).

    Conventions
        - Y, the content image's features, is a stated target, not a variable: detach it
          (Y.detach()), so that no gradient reaches Y even when it requires grad. Gradients
          flow to Y_hat.
        - Keep Y_hat's dtype and device; do not modify the arguments.

    Forbidden
        F.mse_loss and nn.MSELoss: write the mean of the squares yourself.
    """
    raise NotImplementedError("content_loss: fill in this function")


def gram(X: torch.Tensor) -> torch.Tensor:
    """Return the Gram matrix of one image's features X (1, c, h, w), divided by c * h * w.

    D2L 14.12, neural style transfer: https://d2l.ai/chapter_computer-vision/neural-style.html

    What to implement
        Read X as the (c, n) matrix whose row i is channel i (n = h * w, the book's
        X.numel() // X.shape[1]) and return X @ X.T / (c * n): the (c, c) matrix of inner
        products between channels, divided by the number of elements of X.

    Conventions
        - The division is by c * h * w, not by h * w or c alone (the book divides by the
          number of elements so that the style loss does not grow with the image).
        - Gradients flow to X; keep its dtype and device.

    Forbidden
        F.mse_loss and nn.MSELoss (not needed here). torch.matmul, mm, einsum are allowed.
    """
    raise NotImplementedError("gram: fill in this function")


def style_loss(Y_hat: torch.Tensor, gram_Y: torch.Tensor) -> torch.Tensor:
    """Return the style loss: the mean squared difference between gram(Y_hat) and gram_Y.

    D2L 14.12, neural style transfer: https://d2l.ai/chapter_computer-vision/neural-style.html

    What to implement
        ((gram(Y_hat) - gram_Y) ** 2).mean(), a 0-dimensional tensor. Y_hat is the synthesised
        image's features (1, c, h, w); gram_Y the style image's Gram matrix (c, c), computed in
        advance with gram. Use your gram.

    Conventions
        - gram_Y is detached (gram_Y.detach(), as in the PyTorch edition; the MXNet version of
          the book has no detach): no gradient reaches it. Gradients flow to Y_hat.
        - The editions agree on the losses; only compute_loss's weights differ (style_weight
          1e4 in the English edition, 1e3 in the Chinese one), and compute_loss is not graded.

    Forbidden
        F.mse_loss and nn.MSELoss: write the mean of the squares yourself.
    """
    raise NotImplementedError("style_loss: fill in this function")


def tv_loss(Y_hat: torch.Tensor) -> torch.Tensor:
    """Return the total variation loss of the image Y_hat (N, C, H, W), with H, W >= 2.

    D2L 14.12, neural style transfer: https://d2l.ai/chapter_computer-vision/neural-style.html

    What to implement
        0.5 * (mean |Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]|
               + mean |Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]|)
        The absolute differences between vertical neighbours and between horizontal
        neighbours, each averaged over its own elements, then half their sum.

    Conventions
        - Differences along H (dim 2) and W (dim 3) only, never along the channels; absolute
          values, not squares; two separate means (the two sets have different sizes when
          H != W).
        - A 0-dimensional tensor of Y_hat's dtype and device; gradients flow to Y_hat.

    Forbidden
        F.mse_loss and nn.MSELoss. torch.abs, torch.diff and slicing are allowed.
    """
    raise NotImplementedError("tv_loss: fill in this function")
