"""Shared fixtures: the course, one warm sandbox per test session, and the CUDA skip marker."""

from __future__ import annotations

import pytest
import torch

from d2lcoach.course import load_course
from d2lcoach.sandbox import Sandbox


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
