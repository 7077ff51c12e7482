"""Points an instructor can defend (issue 10): each property counts once whatever the devices, weighted
from the manifest; generic checks earn nothing while every value is wrong; the most specific failure
leads; hints are shown only when the failure shows their cause; every input is shown or saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
import yaml

from d2lcoach.course import BUILTIN_ROOT, load_course
from d2lcoach.errors import UsageError
from d2lcoach.grading.engine import STAND_IN, grade_source, make_cases
from d2lcoach.grading.savecase import save_failing_case
from d2lcoach.grading.scoring import GENERIC, score_properties
from d2lcoach.results import CheckItem

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
SEED = 11

#: Points of typical bugs under seed 11, the same with --device cpu, with cpu + the stand-in GPU (the
#: default without CUDA) and with cpu + meta.
PINNED = {
    "softmax/bug_log_softmax": 0.0,          # every value wrong: generic checks earn nothing
    "softmax/bug_missing_keepdim": 3.33,     # raises on most 2-D inputs, broadcasts wrongly on square ones
    "softmax/bug_global_max": 7.33,
    "softmax/bug_no_max_subtraction": 6.0,
    "softmax/bug_hardcoded_dim": 4.67,
    "batch_norm/bug_unbiased_var": 4.56,
    "batch_norm/bug_pytorch_momentum": 9.78,
    "batch_norm/bug_no_keepdim_4d": 5.22,
    "batch_norm/bug_eval_batch_stats": 11.09,
    "conv2d/bug_stride_one_axis": 11.09,
    "conv2d/bug_flipped_kernel": 0.0,
    "gru_cell/bug_z_swapped": 0.0,
    "multi_head_attention/bug_scale_sqrt_h": 4.35,
    "nms/bug_ge_threshold": 13.8,
    "gan_step/bug_no_zero_grad_G": 2.31,
    "decomposable_attention/bug_alpha_softmax_wrong_axis": 9.05,  # alpha alone: float64 and round trip follow it
}


def _grade(course, sandbox, name, devices, seed=SEED):
    path = SUBMISSIONS / f"{name}.py"
    exercise = course.get(path.parent.name)
    return exercise, grade_source(exercise, path.read_text(), path.name, sandbox=sandbox, devices=devices, seed=seed)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_typical_bug_scores_are_pinned_and_the_same_on_every_device_set(course, sandbox, name):
    exercise, on_cpu = _grade(course, sandbox, name, ["cpu"])
    _, with_meta = _grade(course, sandbox, name, ["cpu", "meta"])
    _, with_stand_in = _grade(course, sandbox, name, ["cpu", STAND_IN])
    assert round(on_cpu.score * exercise.points, 2) == PINNED[name], on_cpu.properties
    assert with_meta.score == on_cpu.score
    assert with_stand_in.score == on_cpu.score, with_stand_in.properties


@pytest.mark.parametrize("second", ["meta", STAND_IN])
def test_a_failure_on_one_device_costs_the_device_property_only(course, sandbox, second):
    exercise, result = _grade(course, sandbox, "softmax/bug_cpu_ones", ["cpu", second])
    lost = [p.name for p in result.properties if p.earned < p.weight]
    assert lost == ["device"], result.properties
    assert result.score == pytest.approx(1 - exercise.weight("device") / sum(p.weight for p in result.properties),
                                         abs=1e-4)


def test_a_property_failing_on_one_device_only_is_a_device_problem():
    checks = [CheckItem("values", True, "cpu"), CheckItem("values", False, "cuda", "not checked, because ..."),
              CheckItem("shape", True, "cpu"), CheckItem("shape", True, "cuda"),
              CheckItem("device", True, "cpu"), CheckItem("device", True, "cuda")]
    scores = {p.name: p for p in score_properties(checks, lambda name: 1.0, values_right=True)}
    assert scores["values"].met and "cuda" in scores["values"].note
    assert not scores["device"].met and scores["device"].earned == 0
    assert scores["shape"].met and scores["result type"].met


def test_generic_checks_earn_nothing_while_every_value_is_wrong():
    checks = [CheckItem("values", False, "cpu", "wrong"), CheckItem("shape", True, "cpu"),
              CheckItem("no mutation", True, "cpu")]
    scores = score_properties(checks, lambda name: 1.0, values_right=False)
    assert sum(p.earned for p in scores) == 0
    assert {p.name for p in scores if p.note} == {"shape", "no mutation", "result type"}
    assert sum(p.earned for p in score_properties(checks, lambda name: 1.0, values_right=True)) == 3


def test_weights_come_from_the_manifest(tmp_path, course, sandbox):
    shutil.copytree(BUILTIN_ROOT, tmp_path / "course", ignore=shutil.ignore_patterns(".*", "tests", "*.pyc"))
    manifest = tmp_path / "course" / "course.yaml"
    data = yaml.safe_load(manifest.read_text())
    softmax = next(e for e in data["exercises"] if e["id"] == "softmax")
    softmax["weights"] = {"numerical stability": 10}
    manifest.write_text(yaml.safe_dump(data))
    heavy = load_course(manifest).get("softmax")
    assert heavy.weight("numerical stability") == 10 and heavy.weight("values") == course.get("softmax").weight("values")
    path = SUBMISSIONS / "softmax" / "bug_global_max.py"
    result = grade_source(heavy, path.read_text(), path.name, sandbox=sandbox, devices=["cpu"], seed=SEED)
    # stability (10) and gradients (2) are lost of 2 * 3 + 10 + 2 + 5 = 23
    assert result.score == pytest.approx(11 / 23, abs=1e-4)
    softmax["weights"] = {"values": "a lot"}
    manifest.write_text(yaml.safe_dump(data))
    with pytest.raises(UsageError, match="must map property names to numbers"):
        load_course(manifest)


@pytest.mark.parametrize("exercise_id", ["softmax", "conv2d", "batch_norm", "gru_cell", "multi_head_attention",
                                         "nms", "gan_step"])
def test_every_weight_names_a_property_the_grader_checks(course, exercise_id):
    exercise = course.get(exercise_id)
    properties = set(GENERIC)
    for case in make_cases(exercise, SEED):
        properties |= {case.property, *case.checks}
    assert {name for name, _ in exercise.weights} - {"*"} <= properties


def test_the_most_specific_failure_comes_first(course, sandbox):
    _, unbiased = _grade(course, sandbox, "batch_norm/bug_unbiased_var", ["cpu", "meta"])
    first = unbiased.failures()[0]
    assert first.name == "biased variance" and "unbiased variance, which divides by n - 1" in first.message
    _, dim0 = _grade(course, sandbox, "batch_norm/bug_4d_dim0_only", ["cpu", "meta"])
    assert dim0.failures()[0].name == "training on 4-D input (per channel)"  # missed entirely, not in passing
    _, log = _grade(course, sandbox, "softmax/bug_log_softmax", ["cpu", "meta"])
    assert log.failures()[0].name == "values" and "logarithm of the softmax" in log.failures()[0].message


@pytest.mark.parametrize("name", ["softmax/bug_missing_keepdim", "batch_norm/bug_no_keepdim_4d",
                                  "multi_head_attention/bug_masked_softmax_no_keepdim"])
def test_a_missing_keepdim_error_gets_the_keepdim_hint(course, sandbox, name):
    _, result = _grade(course, sandbox, name, ["cpu", "meta"])
    first = result.failures()[0]
    assert "RuntimeError" in first.message and "keepdim=True" in first.message.split("Hint: ", 1)[1], first.message


def test_no_hint_or_pattern_whose_condition_is_not_met(course, sandbox):
    _, log = _grade(course, sandbox, "softmax/bug_log_softmax", ["cpu", "meta"])
    assert not any("keepdim" in c.message for c in log.failures())  # it uses keepdim=True already
    _, global_max = _grade(course, sandbox, "softmax/bug_global_max", ["cpu", "meta"])
    assert not any("one row short" in c.message for c in global_max.failures())


def test_every_tensor_input_is_shown_or_its_shape(course, sandbox):
    _, result = _grade(course, sandbox, "conv2d/bug_stride_one_axis", ["cpu"])
    stride = next(c for c in result.failures() if c.name == "stride")
    inputs = stride.message.split("Input:\n", 1)[1]
    assert ("  X = " in inputs or "  X: shape (" in inputs) and ("  weight = " in inputs or "  weight: shape (" in inputs)


def test_save_case_writes_the_failing_call(course, sandbox, tmp_path):
    exercise, result = _grade(course, sandbox, "conv2d/bug_stride_one_axis", ["cpu"])
    submission = SUBMISSIONS / "conv2d" / "bug_stride_one_axis.py"
    saved = save_failing_case(exercise, result, tmp_path / "cases", submission)
    first = result.failures()[0]
    assert saved.check == f"{first.name} ({first.device})" and len(saved.snippet) == 2
    data = torch.load(saved.path)
    assert data["exercise"] == "conv2d" and data["seed"] == SEED and data["case"] == first.case
    scope: dict = {}
    exec("\n".join(saved.snippet).replace("; conv2d(", "; out = conv2d("), scope)  # the learner's REPL
    assert isinstance(scope["out"], torch.Tensor)
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="is a file"):
        save_failing_case(exercise, result, tmp_path / "file", submission)


@pytest.mark.cuda
@pytest.mark.parametrize("name", ["softmax/bug_log_softmax", "softmax/bug_global_max", "batch_norm/bug_unbiased_var",
                                  "conv2d/bug_stride_one_axis", "nms/bug_ge_threshold"])
def test_points_are_the_same_on_a_gpu_machine(course, name):
    from d2lcoach.sandbox import Sandbox
    path = SUBMISSIONS / f"{name}.py"
    exercise = course.get(path.parent.name)
    with Sandbox(cuda=True) as box:
        result = grade_source(exercise, path.read_text(), path.name, sandbox=box, devices=["cpu", "cuda"], seed=SEED)
    assert round(result.score * exercise.points, 2) == PINNED[name], result.properties


@pytest.mark.cuda
def test_a_hard_coded_cpu_tensor_costs_the_device_property_on_a_gpu_too(course):
    from d2lcoach.sandbox import Sandbox
    path = SUBMISSIONS / "softmax" / "bug_cpu_ones.py"
    with Sandbox(cuda=True) as box:
        on_gpu = grade_source(course.get("softmax"), path.read_text(), path.name, sandbox=box,
                              devices=["cpu", "cuda"], seed=SEED)
    assert [p.name for p in on_gpu.properties if p.earned < p.weight] == ["device"], on_gpu.properties


def _gradescope_sums(results, course):
    """Per exercise: (sum of the tests' scores, sum of their max_scores, property names)."""
    sums = {}
    for test in results["tests"]:
        exercise_id, name = test["name"].split(": ", 1)
        score, worth, names = sums.get(exercise_id, (0.0, 0.0, []))
        sums[exercise_id] = (score + test["score"], worth + test["max_score"], names + [name])
    return sums


def test_gradescope_tests_carry_the_points_breakdown_and_add_up(course, sandbox, tmp_path):
    """Issue 29: one test per property (not per property and device), worth its weighted share of the
    exercise's points, the tests summing to the top-level score, which is check's points."""
    from d2lcoach.instructor.gradescope import run
    submission = tmp_path / "submission"
    submission.mkdir()
    files = {"softmax": SUBMISSIONS / "softmax" / "bug_global_max.py",
             "conv2d": SUBMISSIONS / "conv2d" / "bug_stride_one_axis.py",
             "batch_norm": BUILTIN_ROOT / "solutions" / "batch_norm.py"}
    for exercise_id, path in files.items():
        shutil.copy(path, submission / f"{exercise_id}.py")
    ids = list(files)
    done = run(submission, tmp_path / "results.json", course, ids, seed=SEED)
    sums = _gradescope_sums(done.results, course)
    total = sum(score for score, _, _ in sums.values())
    assert round(total, 2) == round(done.results["score"], 2) == round(7.33 + 11.09 + course.get("batch_norm").points, 2)
    for exercise_id in ids:
        exercise = course.get(exercise_id)
        check = grade_source(exercise, files[exercise_id].read_text(), f"{exercise_id}.py", sandbox=sandbox,
                             devices=["cpu", "meta"], seed=SEED)
        score, worth, names = sums[exercise_id]
        assert round(score, 2) == round(exercise.points * check.score, 2)
        assert worth == pytest.approx(exercise.points, abs=1e-6)
        weight = sum(p.weight for p in check.properties)
        by_name = {t["name"].split(": ", 1)[1]: t for t in done.results["tests"] if t["name"].startswith(exercise_id + ":")}
        assert sorted(p.name for p in check.properties) == sorted(n for n in names if n not in ("imports", "syntax",
                                                                                              "forbidden routine"))
        assert len(names) == len(set(names)), names  # each property once, not once per device
        for prop in check.properties:
            test = by_name[prop.name]
            assert test["max_score"] == pytest.approx(exercise.points * prop.weight / weight, abs=1e-3)
            assert test["score"] == pytest.approx(exercise.points * prop.earned / weight, abs=1e-3)
            assert (test["status"] == "passed") == (prop.earned == prop.weight)
    assert sums["batch_norm"][0] == pytest.approx(course.get("batch_norm").points)  # a passing file gets max
    failed = {t["name"] for t in done.results["tests"] if t["status"] == "failed"}
    assert "softmax: numerical stability" in failed and "softmax: gradients" in failed


def test_gradescope_tests_count_a_property_once_over_cpu_and_meta(course):
    """The bug of issue 29: CPU and meta runs counted as separate tests with even shares, so the tests
    summed to more than the exercise's score."""
    from d2lcoach.instructor.gradescope import check_tests
    from d2lcoach.results import CheckResult
    exercise = course.get("softmax")
    checks = [CheckItem("imports", True, "-", "")]
    for device in ("cpu", "meta"):
        checks += [CheckItem("values", device == "meta", device, "" if device == "meta" else "wrong values"),
                   CheckItem("shape", True, device, ""), CheckItem("any rank and dim", True, device, "")]
    result = CheckResult("softmax", "softmax.py", checks=checks)
    result.properties = score_properties(checks, exercise.weight, values_right=False)
    tests = check_tests(exercise, result, "visible", "")
    assert [t["name"] for t in tests].count("softmax: values") == 1
    assert sum(t["score"] for t in tests) == pytest.approx(exercise.points * result.score, abs=1e-4)
    assert sum(t["max_score"] for t in tests) == pytest.approx(exercise.points, abs=1e-4)
