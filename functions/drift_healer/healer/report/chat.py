"""The chat notice: the run's notice as an Amazon Q Developer in chat applications (formerly
AWS Chatbot) custom notification, a pure function of the run report.

The schema (Chatbot admin guide, "custom notifications"): `version` "1.0", `source`
"custom", `content` {`textType` "client-markdown", `title`, `description`, `nextSteps`,
`keywords`}, `metadata` {`threadId`, `summary`, `eventType`, `relatedResources`,
`additionalContext`}. Chatbot drops a message that does not conform. It is published as the
plain SNS `Message` of the chat topic (no MessageStructure: the chat topic's only
subscriber is Chatbot's `https` endpoint).

Limits: the SNS message's (256 KiB) is documented; Chatbot's and the chat platforms' limits
on a title or a description are not. We keep to Slack's documented 3,000 characters for a
section's text and its 150 for a header, which also keeps Teams' cards small (a guess,
docs/fidelity.md), and cut lists like the e-mail text: as many items as fit, then "and N
more".

Outside text (drifted values, resource ids, reasons) is a chat message's way to ping a
channel (`<!channel>`) or forge a link (`<https://evil|approve>`): `&`, `<` and `>` are
escaped as Slack requires, backticks dropped, each value on one line inside backticks.
Links are written in Slack's syntax `<url|text>`. The approval link is a capability
(whoever holds it may decide): it is posted only with CHAT_APPROVAL_LINKS=true.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from drift_common.outcomes import FAILURES, HEALED, Outcome
from drift_common.text import clean_text
from healer.model import ResourceDrift
from healer.report.notice import notice_id, render_subject
from healer.report.run import RunReport
from healer.report.text import NEXT_STEP, NOTICE_WHY

TITLE_CHARS = 150
DESCRIPTION_CHARS = 3_000
STEP_CHARS = 300
MAX_STEPS = 5
KEYWORD_CHARS = 50
VALUE_CHARS = 120  # one drifted value
NAME_CHARS = 100  # a logical id, a type, a stack name in a line
EVENT_TYPE = "DriftHealerNotice"

ICON = {
    "ok": ":white_check_mark:",
    "held": ":large_yellow_circle:",
    "drift": ":warning:",
    "failure": ":red_circle:",
}


def escape(text: str, limit: int) -> str:
    """Outside text for a chat line: one line, Slack's escapes, no backticks, cut."""
    line = " ".join(clean_text(text).split()).replace("`", "'")
    if len(line) > limit:
        line = line[: limit - 1] + "\u2026"
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str | None, limit: int = VALUE_CHARS) -> str:
    return "_absent_" if text is None else f"`{escape(text, limit)}`"


def link(url: str, text: str) -> str:
    """Slack's link syntax; the URL is ours (console, approval page), the text plain."""
    return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{text}>"


def _icon(outcome: Outcome) -> str:
    if outcome in {Outcome.IN_SYNC, *HEALED}:
        return ICON["ok"]
    if outcome in FAILURES:
        return ICON["failure"]
    if outcome in {Outcome.REVIEW_REQUIRED, Outcome.APPROVAL_REQUIRED}:
        return ICON["held"]
    return ICON["drift"]


def _drift_lines(resource: ResourceDrift) -> list[str]:
    head = (
        f"\u2022 {code(resource.logical_id, NAME_CHARS)} "
        f"({escape(resource.resource_type, NAME_CHARS)}): {escape(resource.drift_status, 20)}"
    )
    lines = [head]
    for d in resource.differences[:3]:
        lines.append(f"    {code(d.path, NAME_CHARS)}: {code(d.expected)} \u2192 {code(d.actual)}")
    more = len(resource.differences) - 3 + resource.omitted_differences
    if more > 0:
        lines.append(f"    _and {more} more difference(s)_")
    return lines


def _cut_list(
    head: list[str], resources: Sequence[ResourceDrift], total: int, limit: int
) -> list[str]:
    """`head`, then as many resources as fit in `limit` characters, then how many not."""
    lines = list(head)
    used = sum(len(line) + 1 for line in lines)
    shown = 0
    for resource in resources:
        block = _drift_lines(resource)
        size = sum(len(line) + 1 for line in block)
        if used + size > limit - 80:  # room for the "and N more" line
            break
        lines += block
        used += size
        shown += 1
    left = max(total, len(resources)) - shown
    if left:
        lines.append(f"_\u2026 and {left} more drifted resource(s): see the e-mail notice_")
    return lines


def render_description(report: RunReport) -> str:
    outcome = report.final_outcome
    head = [escape(report.reason, 600)]
    if report.notice_why and report.notice_why in NOTICE_WHY:
        head.append(f"_Why this notice: {NOTICE_WHY[report.notice_why]}_")
    if report.drift_age:
        head.append(f"_{escape(report.drift_age, 60)}_")
    drift = report.remaining_drift if outcome is Outcome.PARTIALLY_HEALED else report.drifted
    total = report.remaining_total if outcome is Outcome.PARTIALLY_HEALED else report.drifted_total
    if drift or total:
        head.append(f"*Drifted resources ({max(total, len(drift))}):*")
    text = "\n".join(_cut_list(head, drift, total, DESCRIPTION_CHARS))
    return text[:DESCRIPTION_CHARS]


def render_next_steps(report: RunReport, approval_link: str | None) -> list[str]:
    outcome = report.final_outcome
    steps = [escape(NEXT_STEP.get(outcome, "See the e-mail notice."), STEP_CHARS)]
    if approval_link:
        steps.append(link(approval_link, "Review, then approve or reject (do not forward)"))
    elif outcome is Outcome.APPROVAL_REQUIRED and report.approval is not None:
        steps.append(
            f"Answer with `drift-healer approve {escape(report.stack_name, NAME_CHARS)}` "
            "(or reject), or open the link in the e-mail notice"
        )
    if report.change_set_url:
        steps.append(link(report.change_set_url, "The change set in the console"))
    return steps[:MAX_STEPS]  # the text ones are cut by escape(); our links never


def render_chat(report: RunReport, execution_arn: str, approval_link: str | None = None) -> str:
    """The custom notification JSON (the chat topic's `Message`)."""
    outcome = report.final_outcome
    subject = render_subject(report.stack_name, outcome)
    stack = escape(report.stack_name, NAME_CHARS)
    title = f"{_icon(outcome)} {outcome.value}: {stack}"[:TITLE_CHARS]
    change_set = report.change_set.change_set_id if report.change_set else None
    related = [r for r in (report.stack_id, change_set) if r]
    notification = {
        "version": "1.0",
        "source": "custom",
        "id": notice_id(execution_arn, outcome),
        "content": {
            "textType": "client-markdown",
            "title": title,
            "description": render_description(report),
            "nextSteps": render_next_steps(report, approval_link),
            "keywords": [
                k[:KEYWORD_CHARS]
                for k in (outcome.value, report.region or "unknown", report.mode_label)
            ],
        },
        "metadata": {
            # One thread per stack (needs the channel's "notification updates in a thread").
            "threadId": (report.stack_id or report.stack_name)[:256],
            "summary": subject,
            "eventType": EVENT_TYPE,
            "relatedResources": related,
            "additionalContext": {
                "outcome": outcome.value,
                "region": report.region or "unknown",
                "notice-id": notice_id(execution_arn, outcome),
            },
        },
    }
    return json.dumps(notification, ensure_ascii=False)
