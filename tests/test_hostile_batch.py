"""Hostile submissions inside one batch: what one student's code leaves or finds must never reach
another's grade. One worker (`--jobs 1`) grades, in roster order, an honest classmate holding a
secret, then attacks that look for it in their own memory, attacks that try to leave state for
the next submission (files, IPC objects, an abstract socket, a deep folder chain), a result
crafted to bloat the parent, and terminal escapes; last, a detector. Run under both levels.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import pytest

from d2lcoach import sandbox as sandbox_module
from d2lcoach.instructor.batch import grade_roster
from d2lcoach.course import load_course
from d2lcoach.sandbox import NAMESPACES, PROCESS, Limits
from tests.test_hostile import HOSTILE, _marked_processes, _namespaces_work, _wait_no_processes

# Roster order is grading order with one job: the classmate first, the detector last.
ROSTER = [("a_classmate", "_classmate.py"), ("b_proc_mem", "classmate_proc_mem.py"),
          ("c_ctypes_heap", "classmate_ctypes_heap.py"), ("d_live_objects", "classmate_live_objects.py"),
          ("e_everywhere", "persist_everywhere.py"), ("f_ipc", "persist_sysv_ipc.py"),
          ("g_socket", "persist_abstract_socket.py"), ("h_deep_chain", "deep_folder_chain.py"),
          ("i_flood", "forge_result_list_flood.py"), ("j_long_int", "forge_result_long_int.py"),
          ("k_escapes", "escape_forge_total.py"), ("z_detector", "_detect_leftovers.py")]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LIMITS = Limits(wall_seconds=8, cpu_seconds=10, memory_bytes=1 << 30, processes=24, file_bytes=1 << 20,
                result_bytes=8 << 20)


@pytest.fixture(params=[pytest.param(NAMESPACES, marks=pytest.mark.namespaces), PROCESS])
def level(request, monkeypatch):
    if request.param == NAMESPACES and not _namespaces_work():
        pytest.skip("bubblewrap cannot create namespaces on this machine")
    monkeypatch.setenv("D2LCOACH_SANDBOX", request.param)
    sandbox_module.available_level.cache_clear()
    yield request.param
    sandbox_module.available_level.cache_clear()


@pytest.fixture
def without_policy(monkeypatch):
    """Grade with the code policy off, as tests/test_hostile.py does: the sandbox's own walls must hold."""
    import functools
    from d2lcoach.grading import engine
    from d2lcoach.grading.static import check_source
    monkeypatch.setattr(engine, "check_source", functools.partial(check_source, policy=False))


def test_one_students_code_never_reaches_another(level, tmp_path, without_policy):
    course = load_course()
    marker, token = "d2lh" + secrets.token_hex(4), secrets.token_hex(8)
    roster = tmp_path / "roster"
    for student, attack in ROSTER:
        (roster / student).mkdir(parents=True)
        text = (HOSTILE / attack).read_text().replace("__MARKER__", marker).replace("__CLASSMATE__", token)
        (roster / student / "softmax.py").write_text(text)
    out = tmp_path / "report"
    try:
        summary = grade_roster(roster, out, course=course, jobs=1, exercises=["softmax"], seed=11,
                               devices=["cpu", "meta"], limits={"softmax": LIMITS})
    finally:
        left = _wait_no_processes(marker)
    assert not left, "processes of a submission survived the batch:\n" + "\n".join(left)
    assert summary.isolation == level and summary.internal_errors == 0 and summary.graded == len(ROSTER)

    document = json.loads((out / "results.json").read_text())
    rows = {student: document["students"][student]["exercises"]["softmax"] for student, _ in ROSTER}
    assert rows["a_classmate"]["passed"] and token in rows["a_classmate"]["output"]
    assert rows["z_detector"]["passed"], rows["z_detector"]
    assert "LEFTOVER" not in rows["z_detector"]["output"], rows["z_detector"]["output"]
    for student, attack in ROSTER[1:]:
        row = rows[student]
        shown = json.dumps(row) + (out / "feedback" / f"{student}.md").read_text()
        assert token not in shown, f"{student} ({attack}) got hold of the classmate's data:\n{shown}"
        assert "BREACH" not in row["output"], f"{student} ({attack}): {row['output']}"
    for student in ("b_proc_mem", "c_ctypes_heap", "d_live_objects", "k_escapes"):  # wrong answers
        assert not rows[student]["passed"] and rows[student]["points"] < 10, (student, rows[student])
    for student in ("i_flood", "j_long_int"):  # a malformed result is a grade, journaled like any other
        assert rows[student]["points"] == 0.0 and "malformed result" in rows[student]["error"]
        assert "\n" not in rows[student]["error"]
    journaled = [json.loads(line)["student"] for line in (out / "journal.jsonl").read_text().splitlines()]
    assert sorted(journaled) == sorted(student for student, _ in ROSTER)

    for path in [out / "results.json", out / "grades.csv", *(out / "feedback").iterdir()]:
        text = path.read_text()
        found = CONTROL.search(text)
        assert not found, f"{path.name}: a raw control character {found.group()!r}"
    feedback = (out / "feedback" / "k_escapes.md").read_text()
    assert "\\x1b[2J" in feedback  # shown, escaped; the forged total is not a line of its own
    assert [line for line in feedback.splitlines() if line.startswith("**Total:")] == [
        f"**Total: {rows['k_escapes']['points']:g} / 10 points**"]
    assert not _marked_processes(marker)
