"""BUG: fills a result made with torch.zeros(N, H, W): float32 and on the CPU whatever the features are.

expect: fail dtype; device
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N = features.shape[0]
    out = torch.zeros(N, size[0], size[1])
    for n in range(N):
        k = class_idx if isinstance(class_idx, int) else class_idx[n]
        M = torch.einsum('c,chw->hw', weight[k], features[n])
        U = F.interpolate(M[None, None], size=size, mode='bilinear', align_corners=False)[0, 0]
        spread = U.max() - U.min()
        if spread > 0:
            out[n] = ((U - U.min()) / spread).cpu()
    return out
