"""Shared fixtures: the course, one warm sandbox per test session, the CUDA skip marker, and the
option that forces the portable sandbox level (`--sandbox-level=portable`, or D2LCOACH_SANDBOX=portable)."""

from __future__ import annotations

import os

import pytest
import torch

from d2lcoach.course import load_course
from d2lcoach.sandbox import Sandbox


#: The run forces the portable level: every Sandbox() grades there, and the hostile suite runs at it alone.
FORCED_PORTABLE = os.environ.get("D2LCOACH_SANDBOX", "").strip().lower() == "portable"


def pytest_addoption(parser):
    parser.addoption("--sandbox-level", choices=["namespaces", "process", "portable"], default=None,
                     help="force a sandbox level for the whole run (sets D2LCOACH_SANDBOX before collection)")


def pytest_configure(config):
    level = config.getoption("--sandbox-level")
    if level:  # before any test module is imported, so module-level choices (the hostile levels) see it
        os.environ["D2LCOACH_SANDBOX"] = level
        global FORCED_PORTABLE
        FORCED_PORTABLE = level == "portable"


@pytest.fixture(scope="session")
def course():
    return load_course()


@pytest.fixture(scope="session")
def sandbox():
    box = Sandbox().start()
    yield box
    box.close()


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="no CUDA device on this machine")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)
