"""Fuzz the parent's side of the wire: whatever bytes a child sends, the grader gets a result or a
wire error, and a well-formed message of any shape becomes a grade (a failing one with a one-line
message when it is malformed), never an exception, in bounded time and memory."""

from __future__ import annotations

import json
import struct

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from d2lcoach.course import load_course
from d2lcoach.grading.engine import grade_source
from d2lcoach.sandbox import Outcome, read_result
from d2lcoach.sandbox.runtime import wire

FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
JUDGE_FUZZ = settings(FUZZ, max_examples=60)


def message(tree, blob: bytes = b"") -> bytes:
    header = json.dumps(tree).encode()
    return wire.MAGIC + struct.pack(">I", len(header)) + header + blob


# JSON trees biased towards the wire's own markers, so the decoder's branches are reached.
_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
                     st.floats(allow_nan=False), st.text(max_size=12),
                     st.sampled_from(["__tuple__", "__dict__", "__float__", "__tensor__", "nan", "inf",
                                      "float32", "int64", "bfloat16", "cpu", "meta", "cuda:0"]))
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.dictionaries(st.sampled_from(["__tuple__", "__dict__", "__float__", "__tensor__", "dtype", "shape",
                                     "device", "offset", "nbytes", "x"]), inner, max_size=5)), max_leaves=30)
_tensor_headers = st.fixed_dictionaries({
    "__tensor__": st.just(True), "dtype": st.sampled_from(["float32", "int64", "bool", "bfloat16", "nope", 3]),
    "shape": st.lists(st.one_of(st.integers(min_value=-2, max_value=2**70), st.text(max_size=2)), max_size=4),
    "device": st.sampled_from(["cpu", "meta", "cuda:0", "\x1b[2J", 7, ""]),
    "offset": st.integers(min_value=-4, max_value=64), "nbytes": st.integers(min_value=-4, max_value=64)})


def _decodes_or_wire_error(data: bytes):
    try:
        wire.decode(data)
    except wire.WireError:
        pass


@FUZZ
@given(st.binary(max_size=256))
def test_any_bytes_give_a_value_or_a_wire_error(data):
    _decodes_or_wire_error(data)
    _decodes_or_wire_error(wire.MAGIC + data)


@FUZZ
@given(st.text(max_size=200))
def test_any_header_text_gives_a_value_or_a_wire_error(text):
    header = text.encode("utf-8", "surrogatepass")
    _decodes_or_wire_error(wire.MAGIC + struct.pack(">I", len(header)) + header)


@FUZZ
@given(_json, st.binary(max_size=64))
def test_any_json_tree_gives_a_value_or_a_wire_error(tree, blob):
    _decodes_or_wire_error(message(tree, blob))


@FUZZ
@given(_tensor_headers, st.binary(max_size=64))
def test_any_tensor_header_gives_a_tensor_or_a_wire_error(head, blob):
    _decodes_or_wire_error(message(head, blob))


_BIG_INT = b'{"__dict__": [["runs", [{"__dict__": [["case", ' + b"7" * 4400 + b"]]}]]]}"


@pytest.mark.parametrize("header", [
    _BIG_INT,  # an integer too long for int()
    *[json.dumps(tree).encode() for tree in (
        {"__tuple__": 5}, {"__tuple__": [1], "x": 2}, {"__dict__": [[1, 2, 3]]}, {"__dict__": 7},
        {"__tensor__": True, "dtype": "float32", "shape": [0, 2 ** 70], "device": "cpu", "offset": 0, "nbytes": 0},
        {"__tensor__": True, "dtype": "float32", "shape": [0, 2 ** 40, 2 ** 40], "device": "meta"},
        {"__tensor__": True, "dtype": ["float32"], "shape": [1], "device": "meta"},
        {"__tensor__": True, "dtype": "float32", "shape": [1], "device": "\u001b[31mcpu"},
        {"__float__": ["nan"]})],
])
def test_crafted_headers_are_wire_errors(header):
    with pytest.raises(wire.WireError):
        wire.decode(wire.MAGIC + struct.pack(">I", len(header)) + header)


def test_tuples_lists_and_key_order_survive_the_wire():
    value = {"z": ("a", "b"), "a": ["a", "b"], "m": [("x",), ["y"]]}
    back = wire.decode(wire.encode(value))
    assert list(back) == ["z", "a", "m"]
    assert type(back["z"]) is tuple and type(back["a"]) is list
    assert type(back["m"][0]) is tuple and type(back["m"][1]) is list
    assert back == value


def test_a_huge_header_is_refused_before_it_is_parsed():
    tiny_lists = b"[" + b",".join([b"[]"] * 3_000_000) + b"]"  # about 9 MiB of millions of lists
    data = wire.MAGIC + struct.pack(">I", len(tiny_lists)) + tiny_lists
    with pytest.raises(wire.WireError, match="values|bytes"):
        wire.decode(data)
    under_size = b"[" + b",".join([b"0"] * 400_000) + b"]"  # under 4 MiB, but too many values
    with pytest.raises(wire.WireError, match="values"):
        wire.decode(wire.MAGIC + struct.pack(">I", len(under_size)) + under_size)


# --------------------------------------------------------------------------- the judging path

class _FixedOutcome:
    """A sandbox whose child 'sent' the given bytes: read the way Sandbox.run reads a result."""

    level = "namespaces"

    def __init__(self, payload: bytes):
        self.payload = payload

    def run(self, request, limits):
        result, problem = read_result(self.payload)
        if problem is not None:
            return Outcome("bad_result", None, detail=f"the submission sent a malformed result ({problem})")
        return Outcome("ok", result)


@pytest.fixture(scope="module")
def exercises():
    course = load_course()
    return [course.get(name) for name in ("softmax", "nms", "gan_step", "batch_norm")]


def _check_grade(exercise, payload: bytes):
    result = grade_source(exercise, exercise.solution_path.read_text(), exercise.filename,
                          sandbox=_FixedOutcome(payload), devices=["cpu", "meta"], seed=3)
    assert not result.passed or result.error is None
    if result.error is not None:
        assert "\n" not in result.error and result.error.strip()
        assert result.score == 0.0
    for check in result.checks:
        assert "\x1b" not in check.message and "\r" not in check.message


_outputs = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
              st.builds(torch.zeros, st.integers(0, 3)),
              st.fixed_dictionaries({"__object__": st.text(max_size=8)})),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=12)
_runs = st.fixed_dictionaries({
    "case": st.one_of(st.integers(-2, 40), st.booleans(), st.text(max_size=2)),
    "device": st.sampled_from(["cpu", "meta", "cuda", "\x1b[1m"]),
    "error": st.one_of(st.none(), st.fixed_dictionaries({"type": st.text(max_size=6), "message": st.text(max_size=20),
                                                         "trace": st.text(max_size=20)})),
    "output": _outputs, "mutated": st.lists(st.lists(st.one_of(st.integers(-3, 5), st.text(max_size=4)), max_size=3),
                                            max_size=2),
    "grads": st.one_of(st.none(), st.lists(_outputs, max_size=3)),
    "ops": st.lists(st.sampled_from(["aten::add.Tensor", "aten::_softmax", "function::softmax", "x"]), max_size=3)})


def _encode(tree) -> bytes:
    return wire.encode(tree)


@JUDGE_FUZZ
@given(st.data())
def test_any_decoded_result_becomes_a_grade(exercises, data):
    exercise = data.draw(st.sampled_from(exercises))
    runs = data.draw(st.lists(_runs, max_size=6))
    child = {"load_error": None, "missing": data.draw(st.lists(st.sampled_from(["softmax", "\x1b"]), max_size=1)),
             "runs": runs}
    _check_grade(exercise, _encode(child))


@JUDGE_FUZZ
@given(_json)
def test_any_wire_tree_as_a_result_becomes_a_grade(exercises, tree):
    _check_grade(exercises[0], message(tree))
