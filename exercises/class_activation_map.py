"""Exercise class_activation_map (beyond D2L 8.4; Zhou et al. 2016): the class activation map of a global-average-pooling network."""

import torch
import torch.nn.functional as F


def class_activation_map(features: torch.Tensor, weight: torch.Tensor, class_idx, size) -> torch.Tensor:
    """Return the class activation maps (N, H, W) of N images, upsampled to size and normalised to [0, 1].

    Zhou et al., Learning Deep Features for Discriminative Localization (CVPR 2016), section 2, equation 2:
    https://arxiv.org/abs/1512.04150
    The network is GoogLeNet's ending in D2L 8.4 (global average pooling, then one linear layer):
    https://d2l.ai/chapter_convolutional-modern/googlenet.html

    What to implement
        features are the last convolution's outputs f[n, c, i, j] (before the global average pooling);
        weight is the classifier's weight, nn.Linear(C, K).weight, so class k scores
        sum_c weight[k, c] * mean_ij f[n, c, i, j].
        1. The map of image n for its class k_n: M[n, i, j] = sum_c weight[k_n, c] * features[n, c, i, j].
           No ReLU, no bias.
        2. Upsample every map to size = (H, W), bilinearly with align_corners=False: exactly
           F.interpolate(M.unsqueeze(1), size=size, mode="bilinear", align_corners=False).
        3. Normalise each image's upsampled map U[n] on its own: (U[n] - min U[n]) / (max U[n] - min U[n]),
           min and max over its H x W positions. A constant map (max == min) gives all zeros, never nan.

    Shapes
        features (N, C, h, w); weight (K, C); class_idx a Python int (that class for every image) or an
        int64 tensor (N,) on features' device (class_idx[n] for image n); size a pair (H, W).
        Result: (N, H, W), in features' dtype and on its device.

    Conventions
        - Upsample first, then normalise: the normalised map spans exactly [0, 1] at the image's size
          (the paper's released code normalises before cv2.resize: that is another answer).
        - Each image's own min and max: not the batch's, not a row's.
        - No eps in the division: (U - min) / (max - min + 1e-7) is off for maps of a small range.
        - Do not modify the arguments. Gradients are not graded.

    Forbidden
        Nothing beyond the course's rules: F.interpolate is allowed (it is the upsampling the contract
        names), and so are einsum, gather, amin and amax.
    """
    raise NotImplementedError("class_activation_map: fill in this function")
