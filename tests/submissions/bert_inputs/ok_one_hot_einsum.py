"""OK: the gather as a product with one-hot rows, einsum('bpt,btd->bpd'), and a per-sequence loop for the
tokens' segments; the Chinese edition's super(MaskLM, self).__init__(**kwargs) with the English edition's
lazy layers, and a private helper.

expect: pass
"""
import torch
from torch import nn
from torch.nn import functional as F


def get_tokens_and_segments(tokens_a, tokens_b=None):
    """获取输入序列的词元及其片段索引"""
    tokens = ['<cls>', *tokens_a, '<sep>']
    segments = [0 for _ in tokens]
    if tokens_b is not None:
        second = [*tokens_b, '<sep>']
        tokens = tokens + second
        segments = segments + [1 for _ in second]
    return tokens, segments


def _select(X, pred_positions):
    one_hot = F.one_hot(pred_positions, num_classes=X.shape[1]).to(X.dtype)
    return torch.einsum('bpt,btd->bpd', one_hot, X)


class MaskLM(nn.Module):
    """BERT的掩蔽语言模型任务"""
    def __init__(self, vocab_size, num_hiddens, **kwargs):
        super(MaskLM, self).__init__(**kwargs)
        self.mlp = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens),
                                 nn.LazyLinear(vocab_size))

    def forward(self, X, pred_positions):
        return self.mlp(_select(X, pred_positions))
