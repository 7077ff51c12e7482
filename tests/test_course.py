"""The course manifest: the built-in course is valid and in book order; extensions add or override
exercises and are validated when loaded, with one-line errors naming the file."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT, load_course
from d2lcoach.errors import UsageError

EXTENSION = textwrap.dedent("""\
    title: My course
    chapters:
      - number: 5
        slug: multilayer-perceptrons
        title: Multilayer Perceptrons
    exercises:
      - id: relu
        chapter: 5
        title: ReLU from scratch
        section: "5.1"
        link: https://d2l.ai/chapter_multilayer-perceptrons/mlp.html
        functions: [relu]
        points: 5
        time_limit: 10
        forbidden:
          names: [torch.relu, torch.nn.functional.relu]
          attributes: [relu, relu_]
          ops: ["aten::relu*"]
        hints: ["max(X, 0), elementwise: torch.clamp(X, min=0) or torch.where(X > 0, X, 0)."]
    """)
GRADER = textwrap.dedent('''\
    """Grader for relu: values and gradients."""
    import torch
    from d2lcoach.grading.case import Case

    def make_cases(gen):
        X = torch.randn(3, 4, generator=gen)
        return [Case(property="values", args=(X,), names=("X",), label="relu(X)",
                     grad=((0,),), grad_outputs=[torch.randn(3, 4, generator=gen)])]
    ''')


@pytest.fixture
def extension(tmp_path):
    folder = tmp_path / "ws"
    for sub in ("exercises", "solutions", "graders"):
        (folder / sub).mkdir(parents=True)
    (folder / "course.yaml").write_text(EXTENSION)
    (folder / "exercises" / "relu.py").write_text(
        '"""ReLU stub."""\nimport torch\n\n\ndef relu(X):\n    """Return max(X, 0)."""\n    raise NotImplementedError\n')
    (folder / "solutions" / "relu.py").write_text(
        '"""ReLU."""\nimport torch\n\n\ndef relu(X):\n    return torch.clamp(X, min=0)\n')
    (folder / "graders" / "relu.py").write_text(GRADER)
    return folder


def test_builtin_course_is_in_book_order():
    course = load_course()
    numbers = [e.chapter.number for e in course.exercises]
    assert numbers == sorted(numbers)
    assert course.ids == ["linear_regression", "softmax", "cross_entropy", "xavier_init", "dropout", "my_linear",
                          "conv2d", "pool2d", "batch_norm", "normalization", "residual_block", "dense_block",
                          "rnn_scratch", "lstm_cell",
                          "gru_cell", "seq2seq_loss", "bleu", "beam_search", "attention_scoring",
                          "multi_head_attention", "positional_encoding", "transformer_block", "patch_embedding",
                          "optimizers", "adam", "lr_scheduler", "multi_gpu", "anchor_boxes", "anchor_labels", "nms",
                          "trans_conv", "bilinear_kernel", "style_transfer", "word2vec", "bpe", "bert_inputs",
                          "text_cnn", "decomposable_attention", "value_iteration", "gp_posterior",
                          "successive_halving", "gan_step", "dcgan_blocks", "matrix_factorization",
                          "factorization_machine", "class_activation_map", "group_norm", "label_smoothing",
                          "mixup_cutmix", "model_ema", "diffusion_step", "fedavg"]
    for exercise in course.exercises:
        assert len(exercise.hints) >= 3 and exercise.points > 0 and exercise.time_limit > 0
        if exercise.chapter.number <= 22:  # the book's chapters link to the book
            assert exercise.link.startswith("https://d2l.ai/")
        else:  # what readers add after the book links to its source (a paper, a library's docs)
            assert exercise.link.startswith("https://") and "d2l.ai" not in exercise.link
            assert exercise.section.startswith("beyond ")  # shown as "D2L beyond 8.5": the section it extends


def test_extension_adds_an_exercise_in_chapter_order(extension):
    course = load_course(extension=extension / "course.yaml")
    builtin = load_course().ids
    chapter5 = [e.id for e in load_course().exercises if e.chapter.number <= 5]
    assert course.ids[:len(chapter5) + 1] == chapter5 + ["relu"] and len(course.ids) == len(builtin) + 1
    assert course.get("relu").stub_path == extension / "exercises" / "relu.py"


def test_extension_overrides_an_exercise(extension):
    text = (extension / "course.yaml").read_text().replace("id: relu", "id: softmax").replace(
        "functions: [relu]", "functions: [softmax]")
    for sub in ("exercises", "solutions", "graders"):
        shutil.copy(extension / sub / "relu.py", extension / sub / "softmax.py")
    (extension / "course.yaml").write_text(text)
    course = load_course(extension=extension / "course.yaml")
    assert course.get("softmax").title == "ReLU from scratch" and len(course.ids) == len(load_course().ids)


def test_extension_is_listed_checked_through_the_cli(extension, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()
    listing = runner.invoke(app, ["--workspace", str(extension), "list", "--json"])
    assert listing.exit_code == 0, listing.output
    assert "relu" in [e["id"] for e in json.loads(listing.output)["exercises"]]
    started = runner.invoke(app, ["--workspace", str(extension), "next", "--exercise", "relu"])
    assert started.exit_code == 0 and "ch05-multilayer-perceptrons" in started.output
    learner = extension / "ch05-multilayer-perceptrons" / "relu.py"
    failing = runner.invoke(app, ["--workspace", str(extension), "check", "relu", "--json"])
    assert failing.exit_code == 1
    learner.write_text("import torch\n\ndef relu(X):\n    return torch.where(X > 0, X, torch.zeros_like(X))\n")
    passing = runner.invoke(app, ["--workspace", str(extension), "check", "relu", "--json"])
    assert passing.exit_code == 0, passing.output
    learner.write_text("import torch\n\ndef relu(X):\n    return getattr(torch, 're' + 'lu')(X)\n")
    refused = runner.invoke(app, ["--workspace", str(extension), "check", "relu", "--json"])
    assert refused.exit_code == 1
    assert "code rules" in {c["name"] for c in json.loads(refused.output)["checks"] if not c["passed"]}
    # nn.ReLU is on no list of the extension's, but its operator is switched off in the sandbox.
    learner.write_text("import torch\n\ndef relu(X):\n    return torch.nn.ReLU()(X)\n")
    caught = runner.invoke(app, ["--workspace", str(extension), "check", "relu", "--json"])
    assert caught.exit_code == 1
    failed = {c["name"] for c in json.loads(caught.output)["checks"] if not c["passed"]}
    assert "forbidden routine" in failed


@pytest.mark.parametrize("mutate, needle", [
    (lambda t: t.replace("functions: [relu]", "functions: []"), "'functions' must name at least one"),
    (lambda t: t.replace("chapter: 5\n", "chapter: 99\n"), "chapter 99 is not listed"),
    (lambda t: t + "  - id: relu\n", "appears twice"),
    (lambda t: t.replace("points: 5", "points: five"), "'points' must be"),
    (lambda t: t.replace("title: My course", "title: [unclosed"), "not valid YAML"),
    (lambda t: t.replace("id: relu", "id: 'not an id'"), "Python identifier"),
])
def test_broken_extension_is_one_line_naming_the_file(extension, mutate, needle, monkeypatch):
    manifest = extension / "course.yaml"
    manifest.write_text(mutate(manifest.read_text()))
    with pytest.raises(UsageError) as info:
        load_course(extension=manifest)
    assert str(manifest) in str(info.value) and needle in str(info.value)
    assert "\n" not in str(info.value)
    monkeypatch.setenv("NO_COLOR", "1")
    result = CliRunner().invoke(app, ["--workspace", str(extension), "list"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and str(manifest) in result.output


def test_missing_grader_is_named(extension):
    (extension / "graders" / "relu.py").unlink()
    with pytest.raises(UsageError, match="its grader .*relu.py does not exist"):
        load_course(extension=extension / "course.yaml")


def test_builtin_root_holds_the_course():
    assert (BUILTIN_ROOT / "course.yaml").is_file()


def test_extension_is_graded_in_batch(extension, tmp_path):
    from d2lcoach.instructor.batch import grade_roster
    course = load_course(extension=extension / "course.yaml")
    roster = tmp_path / "roster"
    (roster / "ada").mkdir(parents=True)
    (roster / "ada" / "relu.py").write_text("import torch\n\ndef relu(X):\n    return X * (X > 0)\n")
    (roster / "bob").mkdir()
    (roster / "bob" / "relu.py").write_text("import torch\n\ndef relu(X):\n    return X.abs()\n")
    grade_roster(roster, tmp_path / "report", course=course, jobs=1, exercises=["relu"], seed=3)
    rows = (tmp_path / "report" / "grades.csv").read_text().splitlines()
    assert rows[0] == "student,relu,total,max_total"
    assert rows[1].startswith("ada,5") and rows[2].startswith("bob,")
    assert float(rows[2].split(",")[1]) < 5
