"""Each student's feedback file, packed as the LMS's bulk feedback upload reads it back.

- Canvas, *Re-Upload Submissions* on the assignment page: a zip of files whose names hold the user id
  and the attachment id as the first two all-digit parts between underscores
  (`Assignment#infer_comment_context_from_filename`); each file becomes a comment on that submission.
  The attachment must be one of the submission's current files, so the name reuses the prefix of the
  student's newest downloaded file (`doejane_123_4567`).
- Moodle, *Upload multiple feedback files in a zip* (the *Feedback files* feedback type): one file per
  participant, `fullname_participantid_assignfeedback_file_d2lcoach-feedback.txt`, read by
  `assignfeedback_file_zip_importer::is_valid_filename_for_import`. Moodle 4.1 and later split each
  path part on `_` into at most five pieces (name, participant id, plugin type, plugin name, the file);
  earlier versions split the whole path so, and need exactly five: a flat file name suits both, where a
  folder per participant would not. The name may not hold an underscore, so its underscores become
  spaces.

GitHub Classroom and plain rosters have no bulk upload: their feedback stays in REPORT_DIR/feedback/.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from d2lcoach.instructor.lms import CANVAS, MOODLE, Export, Placement

CANVAS_UPLOAD = "canvas-feedback.zip"
MOODLE_UPLOAD = "moodle-feedback.zip"
#: The name the student sees on the comment (Canvas) or the feedback file (Moodle).
FEEDBACK_NAME = "d2lcoach-feedback.txt"


def _canvas_member(placement: Placement) -> str | None:
    prefix = placement.student.lms_prefix
    return f"{prefix}_{FEEDBACK_NAME}" if prefix else None


def _moodle_member(placement: Placement) -> str | None:
    student = placement.student
    if not student.lms_id.isdigit():
        return None
    name = " ".join(student.name.replace("_", " ").replace("/", " ").split()) or "student"
    return f"{name}_{student.lms_id}_assignfeedback_file_{FEEDBACK_NAME}"


_MEMBERS = {CANVAS: (CANVAS_UPLOAD, _canvas_member), MOODLE: (MOODLE_UPLOAD, _moodle_member)}


def write_feedback_upload(out: Path, export: Export, placements: list[Placement]) -> Path | None:
    """Write REPORT_DIR/canvas-feedback.zip or moodle-feedback.zip from REPORT_DIR/feedback/<key>.md, for
    every student who has a feedback file; None for an export without a bulk upload. Written whole, then
    renamed into place, so an upload never meets half a zip."""
    if export.format not in _MEMBERS:
        return None
    name, member_of = _MEMBERS[export.format]
    members = []
    for placement in placements:
        source = out / "feedback" / f"{placement.student.key}.md"
        member = member_of(placement)
        if member is not None and source.is_file():
            members.append((member, source.read_bytes()))
    target = out / name
    fd, partial = tempfile.mkstemp(prefix=f".{name}.", dir=out)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for member, data in sorted(members):
                zf.writestr(member, data)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return target
