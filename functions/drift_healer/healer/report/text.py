"""The notice's text, for email: a pure function of the run report.

The head (outcome, reason, change set link, review reasons, approval, next step, execution
ARN) always comes first and always fits; per-resource detail is cut to the room left,
saying how much was left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from drift_common.approval import cli_command
from drift_common.outcomes import Outcome
from drift_common.sns import clip, one_line
from drift_common.text import clean_optional, clean_text
from healer.model import Approval, FailedResource, PlannedChange, ResourceDrift, stack_url
from healer.policy import describe_not_put_back
from healer.report.accepted import accepted_lines
from healer.report.run import RunReport

MAX_TEXT_BYTES = 100_000


MAX_REVIEW_REASONS_IN_HEAD = 25
# Every field of the head is cut too: a 45,000-character invalid StackName, quoted whole in
# the reason, would otherwise make a message SNS refuses. A valid name or stack ARN is never
# cut (at most 128 characters, an ARN about 250).
HEAD_NAME_CHARS = 300
HEAD_REASON_CHARS = 2_000
HEAD_ITEM_CHARS = 500  # one review reason, warning or note
MAX_ITEMS_IN_HEAD = 25  # warnings and notes, like the review reasons


T = TypeVar("T")


NEXT_STEP = {
    Outcome.IN_SYNC: "Nothing to do.",
    Outcome.HEALED: "Nothing to do; find out who changed the resources out of band.",
    Outcome.HEALED_UNVERIFIED: (
        "The stack was changed back; check it (or run again) to confirm no drift is left."
    ),
    Outcome.PARTIALLY_HEALED: (
        "Look at the drift that is left; it needs a template change or a manual fix."
    ),
    Outcome.REVIEW_REQUIRED: "Review the change set in the console and execute it if it is right.",
    Outcome.ACCEPTED: (
        "Commit the template diff below (and the parameter changes) to the stack's source: "
        "the next deploy from an unchanged repository reverts the accepted change."
    ),
    Outcome.NOTHING_TO_REVERT: (
        "CloudFormation found nothing to revert (the drift was undone meanwhile, or is not "
        "revertible); check the resources listed."
    ),
    Outcome.DRIFTED: (
        "Report only (drift-healer:mode=detect or an unknown tag value): revert the drift "
        "by hand, or change the stack tag to let the healer do it."
    ),
    Outcome.BUSY: "Nothing: another run is healing this stack; its notice tells the outcome.",
    Outcome.OPTED_OUT: "Nothing: the stack's owners opted out with drift-healer:mode=off.",
    Outcome.SKIPPED: "The stack was busy or not updatable; the next scheduled run will try again.",
    Outcome.DETECTION_FAILED: (
        "Check the reason; drift detection may lack permissions for some resources."
    ),
    Outcome.CHANGE_SET_FAILED: "Check the reason; the change set could not be created.",
    Outcome.EXECUTION_FAILED: "The stack rolled back; fix the failed resources and run again.",
    Outcome.OBSOLETE: "The stack was updated while healing; run again against the new state.",
    Outcome.APPROVAL_REQUIRED: (
        "Open the link (or use the command below) to approve or reject; this run waits "
        "and heals the stack once approved."
    ),
    Outcome.REJECTED: "Nothing: the change set was deleted. Fix the drift by hand or "
    "change the template; the next scheduled run reports the drift again.",
    Outcome.APPROVAL_TIMED_OUT: (
        "Nobody decided in time; the next scheduled run asks again (at the reminder interval)."
    ),
    Outcome.APPROVAL_INVALID: (
        'The answer was not {"Decision": "APPROVE"|"REJECT", ...}; run again to be asked '
        "again, and check the script that answered."
    ),
    Outcome.TIMED_OUT: "CloudFormation did not finish in time; check the stack, then run again.",
    Outcome.ERROR: "Check the error (stack name, permissions, settings) and run again.",
}


# Why a notice was sent (healer.state.model.NoticeWhy values), in words.
NOTICE_WHY = {
    "new": "new drift",
    "changed": "the drift changed since the last notice",
    "reminder": "reminder: unchanged since the last notice",
    "resolved": "resolved outside the healer: the stack is in sync again",
    "healed": "the healer changed the stack",
    "failure": "a failure",
    "repeated-failure-reminder": "reminder: the same failure again",
    "in-sync": "in sync (NOTIFY_ON_IN_SYNC)",
}


def _value(value: str | None) -> str:
    """A drifted value, as whoever changed the resource wrote it: on this line only."""
    return "(absent)" if value is None else clean_text(value)


def _drift_item(resource: ResourceDrift) -> list[str]:
    physical = f", {clean_text(resource.physical_id)}" if resource.physical_id else ""
    lines = [
        f"  - {resource.logical_id} ({resource.resource_type}{physical}): {resource.drift_status}"
    ]
    lines += [
        f"      {clean_text(d.path)}: {_value(d.expected)} -> {_value(d.actual)}"
        f"  [{d.difference_type}]"
        for d in resource.differences
    ]
    if resource.omitted_differences:
        lines.append(f"      ... {resource.omitted_differences} more difference(s) not shown")
    if resource.drift_status == "DELETED":
        lines.append("      the resource no longer exists")
    return lines


def _change_item(change: PlannedChange) -> list[str]:
    return [
        f"  - {change.logical_id} ({change.resource_type}): {change.action}"
        + (f", replacement {change.replacement}" if change.replacement else "")
        + (f" [{', '.join(change.properties)}]" if change.properties else "")
    ]


def _failed_item(failed: FailedResource) -> list[str]:
    return [f"  - {failed.logical_id} ({failed.resource_type}) {failed.status}: {failed.reason}"]


def _mode_text(report: RunReport) -> str:
    if report.report_only:
        text = "report only"
    elif report.review_mode:
        text = "review" if report.mode_note else "review (CreateChangeSetOnly)"
    else:
        text = "automatic"
    return text + (f" ({report.mode_note})" if report.mode_note else "")


def _items(title: str, items: Sequence[str], limit: int) -> list[str]:
    # Items can quote resource ids, values and CloudFormation's text: one line each, always.
    shown = [f"  - {clip(clean_text(item), HEAD_ITEM_CHARS)}" for item in items[:limit]]
    more = [f"  ... and {len(items) - limit} more"] if len(items) > limit else []
    return ["", title, *shown, *more]


def _head(report: RunReport, execution_arn: str) -> list[str]:
    outcome = report.final_outcome
    lines = [
        f"Stack:    {one_line(report.stack_name, HEAD_NAME_CHARS)}",
        f"Region:   {report.region or 'unknown'}",
        f"Outcome:  {outcome.value}",
        f"Reason:   {clip(clean_text(report.reason), HEAD_REASON_CHARS)}",
        f"Mode:     {clip(clean_text(_mode_text(report)), HEAD_ITEM_CHARS)}",
    ]
    if report.drift_first_seen:
        lines.append(
            f"Drifted:  since {report.drift_first_seen:%Y-%m-%d %H:%M} UTC ({report.drift_age})"
        )
    if report.notice_why:
        lines.append(f"Notice:   {NOTICE_WHY.get(report.notice_why, report.notice_why)}")
    if report.stack_status:
        lines.append(f"Stack status: {report.stack_status}")
    if report.change_set:
        lines.append(f"Change set: {report.change_set.change_set_name}")
        if report.change_set_deleted:
            lines.append(
                "  (deleted: it had no changes)"
                if outcome is Outcome.NOTHING_TO_REVERT
                else "  (deleted)"
            )
        elif report.change_set_url:
            lines.append(f"  {report.change_set_url}")
    if report.service_role:
        lines.append(f"Runs as:  {report.service_role.describe()}")
    if report.review_reasons:
        lines += _items(
            "Held for review because:", report.review_reasons, MAX_REVIEW_REASONS_IN_HEAD
        )
    if report.warnings:
        lines += _items("Warnings:", report.warnings, MAX_ITEMS_IN_HEAD)
    if report.not_put_back:
        left = [describe_not_put_back(item) for item in report.not_put_back]
        lines += _items("Not put back by REVERT_DRIFT:", left, MAX_ITEMS_IN_HEAD)
    if report.approval:
        lines += approval_lines(report.approval)
    if report.notes:
        lines += _items("Notes:", report.notes, MAX_ITEMS_IN_HEAD)
    lines += ["", f"Next: {NEXT_STEP[outcome]}", f"Durable execution: {execution_arn}"]
    if report.stack_id:
        lines += [f"Stack ID: {report.stack_id}", f"Console:  {stack_url(report.stack_id)}"]
    return lines


def _section(
    title: str,
    items: Sequence[T],
    total: int,
    render: Callable[[T], list[str]],
    *,
    room: int,
    what: str,
) -> tuple[list[str], int]:
    """A titled list, with as many items as fit in `room` bytes; the rest is counted."""
    lines = ["", title]
    used = sum(len(line.encode()) + 1 for line in lines)
    shown = 0
    for item in items:
        item_lines = render(item)
        size = sum(len(line.encode()) + 1 for line in item_lines)
        if used + size > room - 120:  # keep room for the "left out" line
            break
        lines += item_lines
        used += size
        shown += 1
    left_out = max(total, len(items)) - shown
    if left_out:
        lines.append(
            f"  ... {left_out} more {what} left out of this notice"
            " (the durable execution's result has the kept detail)"
        )
        used += 120
    return lines, used


def render_body(report: RunReport, execution_arn: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    lines = _head(report, execution_arn)
    room = max_bytes - sum(len(line.encode()) + 1 for line in lines)
    if report.accepted and report.final_outcome is Outcome.ACCEPTED:
        accepted = accepted_lines(report.accepted, room // 2)
        lines += accepted
        room -= sum(len(line.encode()) + 1 for line in accepted)
    sections: list[tuple[str, Sequence[object], int, Callable[[object], list[str]], str]] = [
        (
            "Drifted resources (path: expected -> actual):"
            + (f" [cut to stay small: {report.drift_cut}]" if report.drift_cut else ""),
            report.drifted,
            report.drifted_total,
            _drift_item,  # type: ignore[list-item]
            "drifted resource(s)",
        ),
        (
            "Planned changes (resource: action, replacement):",
            report.planned_changes,
            report.planned_total,
            _change_item,  # type: ignore[list-item]
            "planned change(s)",
        ),
        (
            "Failed resources (CloudFormation's reason):",
            report.failed_resources,
            len(report.failed_resources),
            _failed_item,  # type: ignore[list-item]
            "failed resource(s)",
        ),
        (
            "Still drifted after healing:",
            report.remaining_drift,
            report.remaining_total,
            _drift_item,  # type: ignore[list-item]
            "drifted resource(s)",
        ),
    ]
    for title, items, total, render, what in sections:
        if not items and not total:
            continue
        section, used = _section(title, items, total, render, room=room, what=what)
        lines += section
        room -= used
    if report.phases:
        timing = "; ".join(
            f"{name} {p.seconds:.1f} s / {p.polls} poll(s)"
            + (f" / {p.transient_errors} throttled" if p.transient_errors else "")
            for name, p in report.phases.items()
        )
        lines += ["", f"Timing: {timing}"]
    return "\n".join(lines) + "\n"


def approval_lines(approval: Approval) -> list[str]:
    """The approval part of a notice's text: how to answer, and what was answered.

    The page link is there only when the publishing step set it (`Approval.link`): the
    e-mail is the one place it goes. By and Reason are a reviewer's text, kept on their line.
    """
    if approval.decision:
        verb = {"APPROVE": "approved", "ACCEPT": "accepted (keep the change)"}.get(
            approval.decision, "rejected"
        )
        when = f" at {approval.decided_at:%Y-%m-%d %H:%M} UTC" if approval.decided_at else ""
        lines = [f"Decision: {verb} by {clean_optional(approval.by)}{when}"]
        if approval.reason:
            lines.append(f"  reason: {clean_text(approval.reason)}")
        return ["", *lines, f"Callback ID: {approval.callback_id}"]
    lines = ["", f"Approval: waiting until {approval.expires:%Y-%m-%d %H:%M} UTC"]
    if approval.link:
        lines += [
            "Open to review, then approve or reject:",
            f"  {approval.link}",
            "  (whoever holds this link may decide: do not forward it)",
        ]
    lines += [
        f"Callback ID: {approval.callback_id}",
        "Or answer from a shell:",
        f"  {cli_command(approval.callback_id)}",
        "  (Decision REJECT to reject, ACCEPT to keep the change; or:",
        "  drift-healer approve|reject|accept STACK)",
    ]
    return lines
