"""The notice's text of an ACCEPTED run (issue 17): what to commit to the template's source."""

from __future__ import annotations

from drift_common.text import clean_optional, clean_text
from healer.model import Accepted


def accepted_lines(accepted: Accepted, room: int) -> list[str]:
    """What accepting wrote into the template: the parameter changes and the unified diff
    (cut to the room left), for the team to commit to the template's source."""
    lines: list[str] = []
    if accepted.parameter_changes:
        lines += ["", "Parameter changes (set them where the stack is deployed from):"]
        lines += [
            f"  - {c.key}: {clean_optional(c.old)} -> {clean_text(c.new)}"
            for c in accepted.parameter_changes
        ]
    if accepted.diff:
        lines += ["", "Template diff (commit it to the template's source):"]
        used = sum(len(line.encode()) + 1 for line in lines)
        diff_lines = accepted.diff.splitlines()
        for i, raw in enumerate(diff_lines):
            line = clean_text(raw)
            if used + len(line.encode()) + 1 > room - 120:
                lines.append(f"  ... {len(diff_lines) - i} more diff line(s): see the result")
                break
            lines.append(line)
            used += len(line.encode()) + 1
    return lines
