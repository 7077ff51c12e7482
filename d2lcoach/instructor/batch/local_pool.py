"""The local executor: `jobs` threads on this machine, each owning one warm Sandbox (torch imported
once per worker); every submission still runs in its own freshly forked, sandboxed child."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from d2lcoach.instructor.batch.executor import Event, Finished, Job, Started, grade_job, wait_ready, warm_references
from d2lcoach.sandbox import Sandbox


class LocalPool:
    """The default executor: a warm pool of `workers` sandboxes on this machine."""

    def __init__(self, workers: int):
        self.workers = workers

    def run(self, jobs: list[Job], *, seed: int, devices: list[str], level: str) -> Iterator[Event]:
        if not jobs:
            return
        tasks: queue.Queue = queue.Queue()
        for job in jobs:
            tasks.put(job)
        events: queue.Queue = queue.Queue()
        stop = threading.Event()
        sandboxes = [Sandbox(level, cuda="cuda" in devices, meta="meta" in devices) for _ in range(min(self.workers, len(jobs)))]

        def work(box: Sandbox):
            try:
                wait_ready(box)
                while not stop.is_set():
                    try:
                        job = tasks.get_nowait()
                    except queue.Empty:
                        break
                    events.put(Started(job.index))
                    record, keep = grade_job(job, box, devices=devices, seed=seed)
                    if stop.is_set():
                        break  # the sandboxes are being closed: this result may be an artefact of that
                    events.put(Finished(job.index, record, keep))
            except BaseException as exc:  # the sandbox itself failed: stop the batch, keep the journal
                if not stop.is_set():
                    events.put(exc)
                stop.set()
            finally:
                events.put(None)

        threads = [threading.Thread(target=work, args=(box,), daemon=True, name=f"d2lcoach-grade-{i}")
                   for i, box in enumerate(sandboxes)]
        try:
            for box in sandboxes:  # the workers import torch while this thread prepares the references
                box.start()
            warm_references(sorted({job.exercise for job in jobs}, key=lambda e: e.id), seed)
            for thread in threads:
                thread.start()
            running = len(threads)
            while running:
                try:
                    event = events.get(timeout=0.5)
                except queue.Empty:
                    continue
                if event is None:
                    running -= 1
                elif isinstance(event, BaseException):
                    raise event
                else:
                    yield event
        finally:
            stop.set()
            for box in sandboxes:
                box.close()
            for thread in threads:
                if thread.is_alive():
                    thread.join(timeout=15)
