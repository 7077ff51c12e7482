"""Proof records (`graders/<id>.proof.yaml`): bound to a digest of every input of the proof, so that a
change to one grader makes exactly that exercise stale and a change to the engine makes all of them
stale; `dev check --stale` proves only what is stale."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from d2lcoach.cli.main import app
from d2lcoach.course import BUILTIN_ROOT, load_course
from d2lcoach.authoring import proof
from d2lcoach.authoring.equivalents import equivalents_path
from d2lcoach.authoring.suite import suite_files

EXTENSION = Path(__file__).resolve().parent / "devcheck_ext"
VERSIONS = "torch 0.0; python 3.11"


@pytest.fixture
def tree(tmp_path):
    """A copy of the built-in course and of the engine's code, whose files the tests may edit."""
    course_root = tmp_path / "course"
    course_root.mkdir()
    shutil.copy(BUILTIN_ROOT / "course.yaml", course_root / "course.yaml")
    for folder in ("exercises", "solutions", "graders"):
        shutil.copytree(BUILTIN_ROOT / folder, course_root / folder)
    shutil.copytree(BUILTIN_ROOT / "tests" / "submissions", course_root / "tests" / "submissions")
    package = tmp_path / "package"
    for path in proof.engine_files():
        target = package / path.relative_to(proof.PACKAGE_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return course_root, package


def _digests(course_root: Path, package: Path, versions: str = VERSIONS) -> dict[str, str]:
    course = load_course(course_root / "course.yaml")
    return {e.id: proof.digest(e, package_root=package, versions=versions) for e in course.exercises}


def _append(path: Path, text: str = "\n# an edit\n"):
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def test_editing_one_grader_makes_exactly_that_exercise_stale(tree):
    course_root, package = tree
    before = _digests(course_root, package)
    assert len(set(before.values())) == len(before)  # every exercise has a digest of its own
    _append(course_root / "graders" / "softmax.py")
    after = _digests(course_root, package)
    assert [i for i in before if before[i] != after[i]] == ["softmax"]


def test_editing_the_engine_makes_every_exercise_stale(tree):
    course_root, package = tree
    before = _digests(course_root, package)
    _append(package / "grading" / "engine.py")
    after = _digests(course_root, package)
    assert all(before[i] != after[i] for i in before)


@pytest.mark.parametrize("edit", ["grader", "reference", "stub", "trust file", "new trust file", "equivalents",
                                  "manifest entry", "versions"])
def test_each_input_of_an_exercise_makes_its_record_stale(tree, edit):
    course_root, package = tree
    course = load_course(course_root / "course.yaml")
    exercise = course.get("nms")  # it has trust files and an equivalents file
    before = proof.digest(exercise, package_root=package, versions=VERSIONS)
    versions = VERSIONS
    if edit == "grader":
        _append(exercise.grader_path)
    elif edit == "reference":
        _append(exercise.solution_path)
    elif edit == "stub":
        _append(exercise.stub_path)
    elif edit == "trust file":
        _append(suite_files(exercise)[0])
    elif edit == "new trust file":
        shutil.copy(suite_files(exercise)[0], suite_files(exercise)[0].with_name("ok_copy.py"))
    elif edit == "equivalents":
        assert equivalents_path(exercise).is_file()
        _append(equivalents_path(exercise))
    elif edit == "manifest entry":
        manifest = course_root / "course.yaml"
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        entry = next(e for e in data["exercises"] if e["id"] == "nms")
        entry["time_limit"] = float(entry.get("time_limit", 30)) + 1
        manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        exercise = load_course(manifest).get("nms")
    elif edit == "versions":
        versions = "torch 0.1; python 3.11"
    assert proof.digest(exercise, package_root=package, versions=versions) != before


@pytest.mark.parametrize("name", [str(p.relative_to(proof.PACKAGE_ROOT)) for p in proof.engine_files()])
def test_each_engine_file_is_an_input(tree, name):
    course_root, package = tree
    exercise = load_course(course_root / "course.yaml").get("softmax")
    before = proof.digest(exercise, package_root=package, versions=VERSIONS)
    _append(package / name)
    assert proof.digest(exercise, package_root=package, versions=VERSIONS) != before


def test_documentation_in_the_manifest_is_not_an_input(tree):
    course_root, package = tree
    manifest = course_root / "course.yaml"
    before = _digests(course_root, package)
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for entry in data["exercises"]:
        entry["hints"] = [*entry.get("hints", []), "one more hint"]
        entry["title"] = entry["title"] + " (renamed)"
    manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert _digests(course_root, package) == before


def test_every_module_grading_imports_is_an_input():
    """The engine's inputs are named by hand: any d2lcoach module that grading, dev check, the sandbox's
    worker or a grader imports must be among them, so a new module cannot be left out of the digest."""
    code = (
        "import sys, json\n"
        "import d2lcoach.authoring.check, d2lcoach.grading.engine, d2lcoach.sandbox\n"
        "import d2lcoach.sandbox.runtime.worker, d2lcoach.sandbox.runtime.harness\n"
        "from d2lcoach.course import load_course\n"
        "from d2lcoach.grading.engine import load_grader, load_reference\n"
        "for e in load_course().exercises:\n"
        "    load_grader(e.grader_path); load_reference(e.solution_path)\n"
        "print(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items())\n"
        "                        if n.split('.')[0] == 'd2lcoach' and getattr(m, '__file__', None))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    imported = {Path(p).resolve() for p in json.loads(out.stdout)}
    covered = {*proof.engine_files(), proof.PACKAGE_ROOT / "__init__.py",
               *(proof.PACKAGE_ROOT / name for name in proof.NOT_INPUTS)}
    assert len(imported) > 20
    assert sorted(str(p) for p in imported - covered) == []


# --------------------------------------------------------------------------- records

def test_a_record_is_fresh_only_for_its_digest_and_enough_seeds(tmp_path):
    folder = tmp_path / "ext"
    shutil.copytree(EXTENSION, folder)
    exercise = load_course(extension=folder / "course.yaml").get("scale")
    assert not proof.is_fresh(exercise, seeds=1)  # no record
    record = proof.ProofRecord(exercise="scale", digest=proof.digest(exercise), seeds=3, mutant_seeds=[0, 1],
                               mutants=12, killed=12, equivalent=0, trust_files=2, devices=["cpu"],
                               date="2026-12-07")
    proof.write_record(exercise, record)
    text = proof.proof_path(exercise).read_text(encoding="utf-8")
    assert text.startswith("# Managed by `d2lcoach dev check`") and "version: 1" in text
    assert proof.read_record(exercise) == record
    assert proof.is_fresh(exercise, seeds=3) and proof.is_fresh(exercise, seeds=1)
    assert not proof.is_fresh(exercise, seeds=4)  # proved on fewer seeds than asked
    _append(exercise.solution_path)
    assert not proof.is_fresh(exercise, seeds=1)  # the reference changed since
    proof.write_record(exercise, record)
    assert not proof.is_fresh(exercise, seeds=1)  # a record of another digest
    for broken in ("version: 1\nexercise: scale\n", "[not a record", "version: 2\n" + text.split("version: 1\n")[1]):
        proof.proof_path(exercise).write_text(broken, encoding="utf-8")
        assert proof.read_record(exercise) is None and not proof.is_fresh(exercise, seeds=1)


def test_dev_check_stale_proves_only_what_is_stale_and_writes_its_record(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "ext"
    shutil.copytree(EXTENSION, folder)
    (folder / "tests" / "submissions" / "scale" / "bug_first_only.py").unlink()  # it flips with the seed
    manifest = str(folder / "course.yaml")
    runner = CliRunner()

    def stale_json():
        result = runner.invoke(app, ["--workspace", str(tmp_path / "ws"), "--course", manifest, "dev", "check",
                                     "scale", "--stale", "--seeds", "1", "--json"])
        return result.exit_code, json.loads(result.output)

    code, first = stale_json()
    survivors = first["exercises"][0]["survivors"]
    assert code == 1 and survivors and not (folder / "graders" / "scale.proof.yaml").exists()  # no green, no record
    entries = "".join(f"  - mutant: {json.dumps(s['key'])}\n    reason: recorded for the test\n" for s in survivors)
    (folder / "graders" / "scale.equivalents.yaml").write_text(f"version: 1\nequivalents:\n{entries}")
    code, second = stale_json()
    assert code == 0 and [row["id"] for row in second["exercises"]] == ["scale"]
    assert second["exercises"][0]["record"] and (folder / "graders" / "scale.proof.yaml").is_file()
    code, third = stale_json()
    assert code == 0 and third["exercises"] == [] and third["fresh"] == ["scale"]
    _append(folder / "graders" / "scale.py")
    code, fourth = stale_json()
    assert code == 0 and [row["id"] for row in fourth["exercises"]] == ["scale"]
