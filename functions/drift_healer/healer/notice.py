"""Rendering the SNS notice: a pure function of the run report."""

from __future__ import annotations

from dataclasses import dataclass

from healer.model import ResourceDrift
from healer.naming import stack_url
from healer.outcomes import Outcome
from healer.report import RunReport

# SNS: Subject "must be less than 100 characters"; messages up to 256 KB including attributes.
MAX_SUBJECT_CHARS = 99
MAX_BODY_BYTES = 250_000

NEXT_STEP = {
    Outcome.IN_SYNC: "Nothing to do.",
    Outcome.HEALED: "Nothing to do; find out who changed the resources out of band.",
    Outcome.PARTIALLY_HEALED: (
        "Look at the drift that is left; it needs a template change or a manual fix."
    ),
    Outcome.REVIEW_REQUIRED: "Review the change set in the console and execute it if it is right.",
    Outcome.NOTHING_TO_REVERT: (
        "CloudFormation found nothing to revert (the drift was undone meanwhile, or is not "
        "revertible); check the resources listed."
    ),
    Outcome.DRIFTED: (
        "Report only (drift-healer:mode=detect or an unknown tag value): revert the drift "
        "by hand, or change the stack tag to let the healer do it."
    ),
    Outcome.OPTED_OUT: "Nothing: the stack's owners opted out with drift-healer:mode=off.",
    Outcome.SKIPPED: "The stack was busy or not updatable; the next scheduled run will try again.",
    Outcome.DETECTION_FAILED: (
        "Check the reason; drift detection may lack permissions for some resources."
    ),
    Outcome.CHANGE_SET_FAILED: "Check the reason; the change set could not be created.",
    Outcome.EXECUTION_FAILED: "The stack rolled back; fix the failed resources and run again.",
    Outcome.OBSOLETE: "The stack was updated while healing; run again against the new state.",
    Outcome.TIMED_OUT: "CloudFormation did not finish in time; check the stack, then run again.",
    Outcome.ERROR: "Check the error (stack name, permissions) and run again.",
}


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    attributes: dict[str, str]


def should_notify(outcome: Outcome, *, notify_on_in_sync: bool) -> bool:
    if outcome is Outcome.OPTED_OUT:  # the owners asked for silence; the result says why
        return False
    return outcome is not Outcome.IN_SYNC or notify_on_in_sync


def render_subject(stack_name: str, outcome: Outcome) -> str:
    """`drift-healer OUTCOME: stack`, ASCII, one line, under 100 characters."""
    head = f"drift-healer {outcome.value}: "
    name = stack_name.encode("ascii", "replace").decode().replace("\n", " ")
    room = MAX_SUBJECT_CHARS - len(head)
    return head + (name if len(name) <= room else name[: room - 3] + "...")


def _drift_lines(resources: list[ResourceDrift]) -> list[str]:
    lines: list[str] = []
    for resource in resources:
        physical = f", {resource.physical_id}" if resource.physical_id else ""
        kind = f"{resource.resource_type}{physical}"
        lines.append(f"  - {resource.logical_id} ({kind}): {resource.drift_status}")
        lines.extend(
            f"      {d.path}: {d.expected if d.expected is not None else '(absent)'}"
            f" -> {d.actual if d.actual is not None else '(absent)'}  [{d.difference_type}]"
            for d in resource.differences
        )
        if resource.drift_status == "DELETED":
            lines.append("      the resource no longer exists")
    return lines


def _mode_text(report: RunReport) -> str:
    if report.report_only:
        text = "report only"
    elif report.review_mode:
        text = "review" if report.mode_note else "review (CreateChangeSetOnly)"
    else:
        text = "automatic"
    return text + (f" ({report.mode_note})" if report.mode_note else "")


def render_body(report: RunReport, execution_arn: str) -> str:
    outcome = report.final_outcome
    lines = [
        f"Stack:    {report.stack_name}",
        f"Region:   {report.region or 'unknown'}",
        f"Outcome:  {outcome.value}",
        f"Reason:   {report.reason}",
        f"Mode:     {_mode_text(report)}",
    ]
    if report.stack_id:
        lines += [f"Stack ID: {report.stack_id}", f"Console:  {stack_url(report.stack_id)}"]
    if report.stack_status:
        lines.append(f"Stack status: {report.stack_status}")
    if report.drifted:
        lines += ["", f"Drifted resources ({len(report.drifted)}), path: expected -> actual:"]
        lines += _drift_lines(report.drifted)
    if report.change_set:
        lines += ["", f"Change set: {report.change_set.change_set_name}"]
        if report.change_set_deleted:
            lines.append("  (deleted: it had no changes)")
        elif report.change_set_url:
            lines.append(f"  {report.change_set_url}")
    if report.planned_changes:
        lines += ["", "Planned changes (resource: action, replacement):"]
        lines += [
            f"  - {c.logical_id} ({c.resource_type}): {c.action}"
            + (f", replacement {c.replacement}" if c.replacement else "")
            + (f" [{', '.join(c.properties)}]" if c.properties else "")
            for c in report.planned_changes
        ]
    if report.review_reasons:
        lines += ["", "Held for review because:"] + [f"  - {r}" for r in report.review_reasons]
    if report.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in report.warnings]
    if report.failed_resources:
        lines += ["", "Failed resources (CloudFormation's reason):"]
        lines += [
            f"  - {f.logical_id} ({f.resource_type}) {f.status}: {f.reason}"
            for f in report.failed_resources
        ]
    if report.remaining_drift:
        lines += ["", "Still drifted after healing:", *_drift_lines(report.remaining_drift)]
    if report.phases:
        timing = "; ".join(
            f"{name} {p.seconds:.1f} s / {p.polls} poll(s)"
            + (f" / {p.transient_errors} throttled" if p.transient_errors else "")
            for name, p in report.phases.items()
        )
        lines += ["", f"Timing: {timing}"]
    lines += ["", f"Next: {NEXT_STEP[outcome]}", f"Durable execution: {execution_arn}"]
    return truncate("\n".join(lines) + "\n")


def truncate(body: str, limit: int = MAX_BODY_BYTES) -> str:
    """Keep the body under SNS's size limit, cutting at a line and saying so."""
    encoded = body.encode()
    if len(encoded) <= limit:
        return body
    note = "\n... truncated ({} more bytes); the full record is the durable execution's result.\n"
    keep = encoded[: limit - len(note) - 20].decode(errors="ignore")
    keep = keep[: keep.rfind("\n")] if "\n" in keep else keep
    return keep + note.format(len(encoded) - len(keep.encode()))


def render_notice(report: RunReport, execution_arn: str) -> Notice:
    outcome = report.final_outcome
    return Notice(
        subject=render_subject(report.stack_name, outcome),
        body=render_body(report, execution_arn),
        attributes={"stack": report.stack_name, "outcome": outcome.value},
    )
