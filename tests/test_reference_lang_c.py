"""Check the lang-c references (transformer_block, bpe, word2vec) against independent implementations: torch's TransformerEncoderLayer and the values the book prints."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tests.test_reference import DTYPES, SEEDS, gen, ref

# ----------------------------------------------------------------------------- transformer_block


def _random_block(seed, dtype, h=8, ffn_hiddens=12, num_heads=2):
    torch.manual_seed(seed)
    block = ref("transformer_block", "TransformerEncoderBlock")(h, ffn_hiddens, num_heads, 0.0, True).to(dtype)
    g = gen(seed)
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=dtype) * 0.5)
    return block.eval()


def _torch_layer(block, dtype):
    """nn.TransformerEncoderLayer (post-norm, ReLU, batch first) with the block's weights."""
    h = block.attention.W_q.weight.shape[0]
    layer = nn.TransformerEncoderLayer(h, block.attention.num_heads, block.ffn.dense1.weight.shape[0], dropout=0.0,
                                       batch_first=True).to(dtype).eval()
    att = block.attention
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(torch.cat([att.W_q.weight, att.W_k.weight, att.W_v.weight]))
        layer.self_attn.in_proj_bias.copy_(torch.cat([att.W_q.bias, att.W_k.bias, att.W_v.bias]))
        layer.self_attn.out_proj.weight.copy_(att.W_o.weight)
        layer.self_attn.out_proj.bias.copy_(att.W_o.bias)
        for ours, theirs in ((block.ffn.dense1, layer.linear1), (block.ffn.dense2, layer.linear2),
                             (block.addnorm1.ln, layer.norm1), (block.addnorm2.ln, layer.norm2)):
            theirs.weight.copy_(ours.weight)
            theirs.bias.copy_(ours.bias)
    return layer


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "valid_lens"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_encoder_block_matches_torch_transformer_encoder_layer(seed, dtype, masked):
    block = _random_block(seed, dtype)
    layer = _torch_layer(block, dtype)
    X = torch.randn(3, 5, 8, generator=gen(seed + 10), dtype=dtype)
    valid_lens = torch.tensor([5, 2, 3]) if masked else None
    padding = torch.arange(5)[None, :] >= valid_lens[:, None] if masked else None
    with torch.no_grad():
        ours = block(X, valid_lens)
        theirs = layer(X, src_key_padding_mask=padding)
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-4)


def test_add_norm_and_ffn_follow_the_book():
    """D2L 11.7 prints the shapes (2, 3, 8) and (2, 3, 4); AddNorm is layer norm over the last dimension
    of X + Y, and with dropout 1 in training mode the sublayer's output vanishes."""
    ffn = ref("transformer_block", "PositionWiseFFN")(4, 4, 8)
    assert ffn.eval()(torch.ones((2, 3, 4))).shape == (2, 3, 8)
    add_norm = ref("transformer_block", "AddNorm")([3, 4], 0.5).eval()
    X, Y = torch.randn(2, 3, 4, generator=gen(0)), torch.randn(2, 3, 4, generator=gen(1))
    assert add_norm(X, Y).shape == (2, 3, 4)
    add_norm = ref("transformer_block", "AddNorm")(4, 1.0).train()
    torch.testing.assert_close(add_norm(X, Y), torch.nn.functional.layer_norm(X, (4,)))
    add_norm = ref("transformer_block", "AddNorm")(4, 0.0)
    torch.testing.assert_close(add_norm(X, Y), torch.nn.functional.layer_norm(X + Y, (4,)))
    block = ref("transformer_block", "TransformerEncoderBlock")(24, 48, 8, 0.5).eval()
    assert block(torch.ones((2, 100, 24)), torch.tensor([3, 2])).shape == (2, 100, 24)


# ----------------------------------------------------------------------------- bpe

_BOOK_WORDS = {"fast_": 4, "faster_": 3, "tall_": 5, "taller_": 4}


def test_bpe_reproduces_the_merges_the_book_prints():
    """D2L 15.6 prints ten merges, the symbols they add and the tokens left."""
    token_freqs = {" ".join(word): freq for word, freq in _BOOK_WORDS.items()}
    before = dict(token_freqs)
    symbols, merges = [], []
    for _ in range(10):
        pair = ref("bpe", "get_max_freq_pair")(token_freqs)
        merges.append(pair)
        new = ref("bpe", "merge_symbols")(pair, token_freqs, symbols)
        assert new is not token_freqs
        token_freqs = new
    assert merges == [("t", "a"), ("ta", "l"), ("tal", "l"), ("f", "a"), ("fa", "s"), ("fas", "t"), ("e", "r"),
                      ("er", "_"), ("tall", "_"), ("fast", "_")]
    assert symbols == ["ta", "tal", "tall", "fa", "fas", "fast", "er", "er_", "tall_", "fast_"]
    assert list(token_freqs) == ["fast_", "fast er_", "tall_", "tall er_"]
    assert before == {" ".join(word): freq for word, freq in _BOOK_WORDS.items()}


def _counter_pair(token_freqs):
    """An independent count: Counter over zip, the first maximum in insertion order."""
    from collections import Counter
    counts = Counter()
    for token, freq in token_freqs.items():
        symbols = token.split()
        for pair in zip(symbols, symbols[1:]):
            counts[pair] += freq
    best = max(counts.values())
    return next(pair for pair, count in counts.items() if count == best)


@pytest.mark.parametrize("seed", SEEDS)
def test_bpe_pair_matches_an_independent_count(seed):
    g = gen(seed)
    for _ in range(20):
        words = {"".join("abc"[int(i)] for i in torch.randint(3, (int(torch.randint(2, 6, (), generator=g)),),
                                                                generator=g)) + "_": int(torch.randint(1, 5, (), generator=g))
                 for _ in range(4)}
        token_freqs = {" ".join(word): freq for word, freq in words.items()}
        assert ref("bpe", "get_max_freq_pair")(token_freqs) == _counter_pair(token_freqs)
    assert ref("bpe", "merge_symbols")(("a", "b"), {"ca b _": 3, "a b a b": 1}, []) == {"cab _": 3, "ab ab": 1}


# ----------------------------------------------------------------------------- word2vec


def test_skip_gram_and_loss_give_what_the_book_prints():
    """D2L 15.4 prints the shape (2, 1, 4) and the normalised losses tensor([0.9352, 1.8462])."""
    embed = nn.Embedding(20, 4)
    out = ref("word2vec", "skip_gram")(torch.ones((2, 1), dtype=torch.long), torch.ones((2, 4), dtype=torch.long),
                                      embed, embed)
    assert out.shape == (2, 1, 4)
    pred = torch.tensor([[1.1, -2.2, 3.3, -4.4]] * 2)
    label = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
    loss = ref("word2vec", "SigmoidBCELoss")()
    normalised = loss(pred, label, mask) * mask.shape[1] / mask.sum(axis=1)
    torch.testing.assert_close(normalised, torch.tensor([0.9352, 1.8462]), rtol=0, atol=1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_word2vec_matches_torch_bce_and_einsum(seed, dtype):
    g = gen(seed)
    inputs = (torch.randn(3, 5, generator=g, dtype=dtype) * 10).requires_grad_()
    target = (torch.rand(3, 5, generator=g) < 0.5).to(dtype)
    mask = (torch.arange(5)[None, :] < torch.tensor([[5], [2], [4]])).to(dtype)
    for m in (mask, None):
        ours = ref("word2vec", "SigmoidBCELoss")()(inputs, target, m)
        theirs = torch.nn.functional.binary_cross_entropy_with_logits(inputs, target, weight=m,
                                                                      reduction="none").mean(dim=1)
        torch.testing.assert_close(ours, theirs)
        torch.testing.assert_close(torch.autograd.grad(ours.sum(), inputs)[0],
                                   torch.autograd.grad(theirs.sum(), inputs)[0])
    extreme = torch.tensor([[-1000.0, 1000.0]], dtype=dtype)
    torch.testing.assert_close(ref("word2vec", "SigmoidBCELoss")()(extreme, torch.tensor([[1.0, 0.0]], dtype=dtype)),
                               torch.tensor([1000.0], dtype=dtype))
    embed_v, embed_u = nn.Embedding(7, 3).to(dtype), nn.Embedding(7, 3).to(dtype)
    center, contexts = torch.randint(7, (4, 1), generator=g), torch.randint(7, (4, 6), generator=g)
    torch.testing.assert_close(ref("word2vec", "skip_gram")(center, contexts, embed_v, embed_u),
                               torch.einsum("bie,bje->bij", embed_v.weight[center], embed_u.weight[contexts]))
