"""Exercise patch_embedding (D2L 11.8): cut images into patches and embed each one, without a convolution."""

import torch


def patch_embedding(X: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
                    patch_size: int | tuple[int, int]) -> torch.Tensor:
    """Return the Vision Transformer's patch embedding of X: one d-vector per patch.

    D2L 11.8, Transformers for vision (patch embedding):
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/vision-transformer.html

    What to implement
        The book's PatchEmbedding is a convolution whose kernel and stride are the patch size,
        then .flatten(2).transpose(1, 2). Here you write it by reshaping: cut X into patches,
        flatten each patch, multiply by the flattened weight and add the bias.

    Shapes
        X (B, C, H, W); weight (d, C, ph, pw) and bias (d,), the convolution's weights;
        patch_size an int p (ph = pw = p) or a pair (ph, pw). The result is
        (B, num_patches, d) with num_patches = (H // ph) * (W // pw).

    Conventions
        - Patches in row-major order: patch number r * (W // pw) + c covers rows r*ph .. (r+1)*ph - 1
          and columns c*pw .. (c+1)*pw - 1.
        - Flatten each patch in (C, ph, pw) order, the order of weight[k].flatten(): result[b, n, k]
          = (patch * weight[k]).sum() + bias[k].
        - Sizes that are not a multiple of the patch drop the last rows and columns, as the
          convolution does.
        - Gradients must reach X, weight and bias; do not modify the inputs.
        - The Chinese second edition has no Vision Transformer: this follows the English edition.

    Forbidden
        Every convolution routine (F.conv2d, nn.Conv2d, nn.LazyConv2d, torch.convolution, ...)
        and F.unfold / nn.Unfold / F.fold (the convolution's im2col): the exercise is the
        reshaping. Tensor.unfold, reshape, permute and einsum are allowed.
    """
    raise NotImplementedError("patch_embedding: fill in this function")
