"""The Dask executor: grading on an existing Dask cluster (`d2lcoach grade --scheduler tcp://HOST:8786`).

Only imported when a scheduler is named, so the local pool never imports Dask. Each Dask worker
keeps warm sandboxes (the `WarmSandboxes` worker plugin, which starts them when the client connects) and grades
submissions in chunks of one exercise each (`plan_chunks`); reference answers are computed once per
(exercise, seed) per worker process (`engine.prepare` is cached).
Submissions travel as bytes and grades come back as the plain records the local pool yields; the
client alone writes the journal and the report.

A worker that dies mid-chunk loses nothing: Dask runs the chunk again elsewhere. A chunk that kills
every worker it touches (distributed's `allowed-failures` + 1 tries) is split into single
submissions; a single submission that does the same is graded as a failure with a message, and the
batch goes on. CUDA checks go only to workers started with `--resources GPU=1`.
"""

from __future__ import annotations

import dataclasses
import functools
import queue
import threading
import time
from collections.abc import Iterator

import dask
from distributed import Client, WorkerPlugin, as_completed, get_worker
from distributed.scheduler import KilledWorker

from d2lcoach.instructor.batch.executor import Event, Finished, Job, Started, grade_job, record_of, wait_ready
from d2lcoach.instructor.batch.journal import grader_digest
from d2lcoach.course import BUILTIN_ROOT, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.results import CheckResult
from d2lcoach.sandbox import NAMESPACES, Sandbox, SandboxError, available_level

PLUGIN_NAME = "d2lcoach-warm-sandboxes"
RUNNING_TOPIC = "d2lcoach-running"
GPU = "GPU"
MAX_CHUNK = 32  # the most submissions per task: a lost worker loses at most this much work
CHUNKS_PER_WORKER = 4  # with the chunk size left to the executor: about this many tasks per worker thread
CONNECT_SECONDS = 10
POLL_SECONDS = 0.1
REFRESH_SECONDS = 2.0


# --------------------------------------------------------------------------- on the workers

class WarmSandboxes(WorkerPlugin):
    """Keeps one warm Sandbox per task thread of a Dask worker, started on first use, closed at teardown."""

    name = PLUGIN_NAME

    def setup(self, worker):
        self.lock = threading.Lock()
        self.free: list[Sandbox] = []
        self.all: list[Sandbox] = []
        # Start one CPU sandbox per task thread now (a subprocess: the worker's event loop is not held
        # up), so the first chunk finds it warm. CUDA ones start on first use (only GPU workers get those).
        for _ in range(max(1, int(getattr(worker, "nthreads", 1) or 1))):
            box = Sandbox(available_level(), cuda=False)
            try:
                box.start()
            except SandboxError:
                box.close()  # the first chunk retries, and reports why
                continue
            self.all.append(box)
            self.free.append(box)

    def checkout(self, cuda: bool) -> Sandbox:
        with self.lock:
            for box in self.free:
                if box.cuda == cuda:
                    self.free.remove(box)
                    return box
        box = Sandbox(available_level(), cuda=cuda)
        with self.lock:
            self.all.append(box)
        return box

    def checkin(self, box: Sandbox):
        with self.lock:
            self.free.append(box)

    def teardown(self, worker):
        with self.lock:
            boxes, self.all, self.free = self.all, [], []
        for box in boxes:
            box.close()


@functools.lru_cache(maxsize=None)
def _worker_exercise(exercise: Exercise, builtin: bool, digest: str) -> Exercise:
    """The client's exercise as this worker sees it: the built-in course from this worker's own
    install; the grader and reference must be the very ones the client grades with."""
    if builtin:
        exercise = dataclasses.replace(exercise, root=BUILTIN_ROOT)
    try:
        mine = grader_digest(exercise)
    except OSError as exc:
        raise SandboxError(f"this Dask worker cannot read the course of {exercise.id!r}: {exc}") from None
    if mine != digest:
        raise SandboxError(f"this Dask worker has another grader for {exercise.id!r} ({mine}, the client has "
                           f"{digest}); install the same d2lcoach and course on every worker")
    return exercise


def grade_chunk(payload: list[tuple], seed: int, devices: list[str]) -> list[tuple[int, dict, bool]]:
    """Grade a chunk on this Dask worker: payload items are (index, exercise, builtin, digest, relpath,
    source bytes, limits); returns (index, record, keep) per item."""
    worker = get_worker()
    plugin: WarmSandboxes = worker.plugins[PLUGIN_NAME]
    box = plugin.checkout(cuda="cuda" in devices)
    results = []
    try:
        wait_ready(box)  # the worker's start-up is not counted in the first submission's time
        for index, exercise, builtin, digest, relpath, source, limits in payload:
            exercise = _worker_exercise(exercise, builtin, digest)
            worker.log_event(RUNNING_TOPIC, {"index": index})
            job = Job(index, exercise, relpath, source.decode("utf-8"), limits)
            record, keep = grade_job(job, box, devices=devices, seed=seed)
            results.append((index, record, keep))
    finally:
        plugin.checkin(box)
    return results


def _worker_level() -> str:
    return available_level()


def plan_chunks(jobs: list[Job], workers: int, chunk: int | None = None) -> list[list[Job]]:
    """Split `jobs` into tasks of one exercise each, so that a worker prepares an exercise's reference
    answers once for the whole task. `chunk` None: about CHUNKS_PER_WORKER tasks per worker thread,
    at most MAX_CHUNK submissions each, an exercise's submissions split into nearly equal parts."""
    by_exercise: dict[str, list[Job]] = {}
    for job in sorted(jobs, key=lambda j: (j.exercise.id, j.index)):
        by_exercise.setdefault(job.exercise.id, []).append(job)
    if chunk is None:
        chunk = min(MAX_CHUNK, -(-len(jobs) // (max(1, workers) * CHUNKS_PER_WORKER)))
    size = max(1, int(chunk))
    chunks = []
    for group in by_exercise.values():
        parts = -(-len(group) // size)
        bounds = [round(i * len(group) / parts) for i in range(parts + 1)]
        chunks += [group[a:b] for a, b in zip(bounds, bounds[1:])]
    return chunks


# --------------------------------------------------------------------------- on the client

class DaskExecutor:
    """Grades on the Dask cluster behind `address`. Build it with `connect`, before anything is written."""

    def __init__(self, client: Client, *, chunk: int | None = None, task=grade_chunk):
        self.client = client
        self.chunk = None if chunk is None else max(1, int(chunk))  # None: sized by `plan_chunks`
        self.task = task  # what runs on the workers (tests wrap it)
        self.workers = 0  # task threads of the workers connected now
        self.worker_count = 0  # the workers connected now
        self.lost = 0  # workers that left the cluster while this client watched (died, or were stopped)
        self._seen: set[str] = set()
        self._refreshed = 0.0
        self.level = NAMESPACES
        self.tries = int(dask.config.get("distributed.scheduler.allowed-failures")) + 1

    @classmethod
    def connect(cls, address: str, devices: list[str], **kwargs) -> "DaskExecutor":
        """Connect to the scheduler and check that its workers can grade on `devices`; UsageError (one
        line) when the scheduler cannot be reached or no worker has a GPU for `--device cuda`."""
        try:
            client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
        try:
            executor = cls(client, **kwargs)
            executor._check_workers(address, devices)
        except BaseException:
            client.close()
            raise
        return executor

    def _check_workers(self, address: str, devices: list[str]):
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        if not workers:
            raise UsageError(f"the Dask scheduler at {address} has no workers; start some with "
                             f"`dask worker {address}`")
        if "cuda" in devices and not any(w.get("resources", {}).get(GPU) for w in workers.values()):
            raise UsageError(f"--device cuda: no worker of the Dask scheduler at {address} declares a GPU; "
                             "start GPU workers with `dask worker --resources GPU=1`")
        self._count(workers)
        levels = set(self.client.run(_worker_level).values())
        self.level = NAMESPACES if levels == {NAMESPACES} else sorted(levels - {NAMESPACES})[0]
        self.client.register_plugin(WarmSandboxes(), name=PLUGIN_NAME)

    def _count(self, workers: dict):
        self._seen |= set(workers)
        self.worker_count = len(workers)
        self.workers = sum(w.get("nthreads", 1) for w in workers.values())  # what grades at once
        self.lost = len(self._seen - set(workers))
        self._refreshed = time.monotonic()

    def status_text(self) -> str:
        """How many workers grade now and how many were lost, for the progress bar."""
        if self.client.status == "running" and time.monotonic() - self._refreshed > REFRESH_SECONDS:
            self._count(self.client.scheduler_info(n_workers=-1)["workers"])
        text = f"{self.worker_count} Dask worker{'s' if self.worker_count != 1 else ''}"
        if self.workers != self.worker_count:
            text += f" ({self.workers} threads)"
        return text + (f", {self.lost} lost" if self.lost else "")

    def close(self):
        self.client.close()

    def run(self, jobs: list[Job], *, seed: int, devices: list[str], level: str) -> Iterator[Event]:
        if not jobs:
            return
        by_index = {job.index: job for job in jobs}
        builtin_root = BUILTIN_ROOT.resolve()
        digests = {e: grader_digest(e) for e in {job.exercise for job in jobs}}

        def payload(chunk: list[Job]) -> list[tuple]:
            return [(j.index, j.exercise, j.exercise.root.resolve() == builtin_root, digests[j.exercise],
                     j.relpath, j.source.encode("utf-8"), j.limits) for j in chunk]

        resources = {GPU: 1} if "cuda" in devices else None
        started: queue.Queue = queue.Queue()

        def on_running(event):
            _, message = event
            started.put(message.get("index"))

        def submit(chunk: list[Job]):
            return self.client.submit(self.task, payload(chunk), seed, list(devices), resources=resources,
                                      pure=False, retries=0)

        chunks = {}
        for chunk in plan_chunks(jobs, self.workers, self.chunk):
            chunks[submit(chunk)] = chunk
        self.client.subscribe_topic(RUNNING_TOPIC, on_running)
        pending = as_completed(list(chunks), loop=self.client.loop)
        try:
            while chunks:
                yield from self._drain(started, by_index)
                if not pending.has_ready():
                    time.sleep(POLL_SECONDS)
                    continue
                future = next(pending)
                chunk = chunks.pop(future)
                try:
                    results = future.result()
                except KilledWorker:
                    if len(chunk) > 1:  # find the submission that kills workers: grade each alone
                        for job in chunk:
                            again = submit([job])
                            chunks[again] = [job]
                            pending.add(again)
                    else:
                        yield Finished(chunk[0].index, self._crashed(chunk[0], seed), True)
                    continue
                except SandboxError:
                    raise
                except Exception as exc:
                    reason = str(exc).splitlines()[0] if str(exc) else ""
                    raise SandboxError(f"a Dask worker failed: {type(exc).__name__}: {reason}") from None
                for index, record, keep in results:
                    yield Finished(index, record, keep)
        finally:
            self.client.unsubscribe_topic(RUNNING_TOPIC)
            for future in list(chunks):
                future.cancel()

    @staticmethod
    def _drain(started: queue.Queue, by_index: dict[int, Job]) -> Iterator[Event]:
        while True:
            try:
                index = started.get_nowait()
            except queue.Empty:
                return
            if index in by_index:
                yield Started(index)

    def _crashed(self, job: Job, seed: int) -> dict:
        message = (f"the submission crashed every Dask worker that graded it ({self.tries} tries); "
                   "it was not graded further")
        return record_of(CheckResult(exercise=job.exercise.id, file=job.relpath, error=message, seed=seed,
                                     isolation=self.level))
