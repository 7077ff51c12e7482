"""What the Dask tests run on the workers: the real chunk grader, or one that a marked submission kills.

A module of its own (not a test file) so that worker processes import it by name.
"""

from __future__ import annotations

import os

from d2lcoach.instructor.batch.dask_executor import grade_chunk

#: A submission holding this text kills the Dask worker process that grades it.
KILLER = b"# kill the dask worker"


def crashing_chunk(payload, seed, devices):
    if any(KILLER in item[5] for item in payload):
        os._exit(1)
    return grade_chunk(payload, seed, devices)
