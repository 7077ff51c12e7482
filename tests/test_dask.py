"""Grading on a Dask cluster: a LocalCluster of two worker processes, started and stopped here.

The cluster's report must equal the local pool's byte for byte; a worker killed mid-run loses
nothing; a submission that kills every worker it touches ends as a failure; a scheduler that cannot
be reached, or one without GPU workers for `--device cuda`, is a one-line error.
"""

from __future__ import annotations

import json
import os
import shutil
import signal

import pytest
import typer
from typer.testing import CliRunner

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402

from d2lcoach.instructor.batch import grade_roster  # noqa: E402
from d2lcoach.instructor.batch.dask_executor import DaskExecutor  # noqa: E402
from d2lcoach.cli.instructor import grade  # noqa: E402
from d2lcoach.course import BUILTIN_ROOT  # noqa: E402
from d2lcoach.errors import UsageError  # noqa: E402
from tests.dask_helpers import KILLER, crashing_chunk  # noqa: E402
from tests.test_batch import CRASHING, SEED, WRONG_SOFTMAX, strip_volatile  # noqa: E402

DEVICES = ["cpu"]
CLASS = {  # student -> file -> content (None: the reference solution)
    "amy": {"softmax.py": None, "conv2d.py": None},
    "ben": {"softmax.py": WRONG_SOFTMAX},
    "cat": {"softmax.py": CRASHING, "conv2d.py": None},
    "dan": {"softmax.py": None},
}


def make_class(root, files=CLASS):
    for student, named in files.items():
        (root / student).mkdir(parents=True)
        for name, text in named.items():
            if text is None:
                shutil.copy(BUILTIN_ROOT / "solutions" / name, root / student / name)
            else:
                (root / student / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def cluster():
    # One retry per chunk keeps the crash test short: a chunk is given up after killing 2 workers.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=50) as local:
            yield local


def wait_for_a_worker(cluster):
    """The test before may have killed workers; their nannies restart them, not always at once."""
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(1, timeout=120)


def connect(cluster, **kwargs):
    wait_for_a_worker(cluster)
    return DaskExecutor.connect(cluster.scheduler_address, DEVICES, **kwargs)


def grade_command(*args):
    app = typer.Typer()

    @app.callback()
    def main():
        """A stand-in for d2lcoach's own app."""

    app.command("grade")(grade)
    return CliRunner().invoke(app, ["grade", *map(str, args)])


@pytest.mark.slow
def test_the_cluster_grades_as_the_local_pool(cluster, course, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    roster = make_class(tmp_path / "roster")
    local = grade_roster(roster, tmp_path / "local", course=course, jobs=2, exercises=["softmax", "conv2d"],
                         seed=SEED, devices=DEVICES)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
    result = grade_command(roster, "--out", tmp_path / "dask", "-e", "softmax", "-e", "conv2d", "--seed", SEED,
                           "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert f"on 2 Dask workers at {cluster.scheduler_address}; sandbox" in result.stdout  # not "1 job(s)"
    assert local.graded == 6 and "graded 6, reused 0" in result.stdout
    assert (tmp_path / "dask" / "grades.csv").read_bytes() == (tmp_path / "local" / "grades.csv").read_bytes()
    assert "amy,10,15,25,25\n" in (tmp_path / "dask" / "grades.csv").read_text()
    ours, theirs = (strip_volatile(json.loads((tmp_path / d / "results.json").read_text())) for d in ("local", "dask"))
    assert ours == theirs
    for student in CLASS:
        assert (tmp_path / "dask" / "feedback" / f"{student}.md").read_bytes() == \
            (tmp_path / "local" / "feedback" / f"{student}.md").read_bytes()


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_nothing(cluster, course, tmp_path):
    files = {f"s{i}": {"softmax.py": None} for i in range(6)}
    roster = make_class(tmp_path / "roster", files)
    executor = connect(cluster, chunk=1)
    killed = []

    def kill_a_busy_worker(event):
        if killed or event.status != "graded":
            return
        busy = [w for w, keys in executor.client.processing().items() if keys]
        if busy:
            pid = executor.client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    try:
        summary = grade_roster(roster, tmp_path / "report", course=course, exercises=["softmax"], seed=SEED,
                               devices=DEVICES, executor=executor, on_result=kill_a_busy_worker)
    finally:
        executor.close()
    assert killed, "no worker was busy to kill"
    assert summary.graded == 6
    lines = (tmp_path / "report" / "grades.csv").read_text().splitlines()
    assert lines[1:] == [f"s{i},10,10,10" for i in range(6)]
    assert len((tmp_path / "report" / "journal.jsonl").read_text().splitlines()) == 6


@pytest.mark.slow
def test_a_submission_that_kills_its_workers_is_a_failure(cluster, course, tmp_path):
    files = {"amy": {"softmax.py": None}, "ben": {"softmax.py": None}}
    roster = make_class(tmp_path / "roster", files)
    (roster / "ben" / "softmax.py").write_bytes((roster / "ben" / "softmax.py").read_bytes() + KILLER + b"\n")
    executor = connect(cluster, chunk=2, task=crashing_chunk)
    try:
        summary = grade_roster(roster, tmp_path / "report", course=course, exercises=["softmax"], seed=SEED,
                               devices=DEVICES, executor=executor)
    finally:
        executor.close()
    assert summary.graded == 2
    assert (tmp_path / "report" / "grades.csv").read_text().splitlines()[1:] == ["amy,10,10,10", "ben,0,0,10"], \
        (tmp_path / "report" / "results.json").read_text()
    ben = json.loads((tmp_path / "report" / "results.json").read_text())["students"]["ben"]["exercises"]["softmax"]
    assert ben["error"] == ("the submission crashed every Dask worker that graded it (2 tries); "
                            "it was not graded further")


def test_no_gpu_worker_for_cuda_is_a_usage_error(cluster):
    wait_for_a_worker(cluster)
    with pytest.raises(UsageError) as info:
        DaskExecutor.connect(cluster.scheduler_address, ["cpu", "cuda"])
    assert "GPU=1" in str(info.value) and "\n" not in str(info.value)


def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    make_class(tmp_path / "roster", {"amy": {"softmax.py": None}})
    monkeypatch.setattr("d2lcoach.instructor.batch.dask_executor.CONNECT_SECONDS", 2)
    result = grade_command(tmp_path / "roster", "--out", tmp_path / "report", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert not (tmp_path / "report").exists()


def test_chunks_hold_one_exercise_each_and_cover_every_job_once(course):
    from d2lcoach.instructor.batch.dask_executor import MAX_CHUNK, plan_chunks
    from d2lcoach.instructor.batch.executor import Job
    exercises = course.exercises[:5]
    jobs = [Job(i, exercises[i % 5], f"s{i}/x.py", "") for i in range(5 * 25)]
    small = plan_chunks(jobs, workers=2)
    # 125 jobs on 2 workers: at most 16 per task, so each exercise's 25 split 13 + 12
    assert sorted(len(c) for c in small) == [12] * 5 + [13] * 5
    many = [Job(i, exercises[i % 5], f"s{i}/x.py", "") for i in range(5 * 400)]
    for chunks, expected in ((small, jobs), (plan_chunks(many, workers=2), many), (plan_chunks(jobs, 2, chunk=1), jobs)):
        assert sorted(j.index for c in chunks for j in c) == [j.index for j in expected]
        assert all(len({j.exercise.id for j in c}) == 1 for c in chunks)
        assert all(1 <= len(c) <= MAX_CHUNK for c in chunks)
    assert len(plan_chunks(jobs, 2, chunk=1)) == len(jobs)
    # 2,000 jobs on 2 workers would be 250 per task: capped, each exercise's 400 split into 13 parts
    assert {len(c) for c in plan_chunks(many, workers=2)} == {30, 31}
