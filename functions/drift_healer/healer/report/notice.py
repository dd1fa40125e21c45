"""The SNS notice: a pure function of the run report.

A notice is one SNS message with `MessageStructure=json`: email subscribers get the readable
text (healer.report.text), every other protocol (SQS, Lambda, HTTP/S, Firehose) the result
JSON, SMS the subject. The whole message is measured as SNS does and shrunk until it fits.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata

from drift_common.outcomes import Outcome
from drift_common.sns import MARGIN_BYTES, message_size, one_line
from drift_common.sns import MAX_MESSAGE_BYTES as SNS_MAX_MESSAGE_BYTES
from healer.model import Notice
from healer.report.run import RunReport, fit_result
from healer.report.text import HEAD_NAME_CHARS, MAX_TEXT_BYTES, render_body

# SNS: Subject "must be less than 100 characters", ASCII, no line breaks or control
# characters; a message (all protocols' versions together, plus attributes) at most 256 KiB,
# measured by drift_common.sns as SNS measures it.
MAX_SUBJECT_CHARS = 99
MAX_MESSAGE_BYTES = SNS_MAX_MESSAGE_BYTES - MARGIN_BYTES
MAX_JSON_BYTES = 110_000
# The text budget is UTF-8 bytes, but the message carries it JSON-escaped (an emoji: 4 bytes
# become 12): budgets shrink until the whole message fits, down to this, then the fallback.
MIN_TEXT_BYTES = 4_000
FALLBACK_CHARS = 200


def should_notify(outcome: Outcome, *, notify_on_in_sync: bool) -> bool:
    if outcome in {Outcome.OPTED_OUT, Outcome.BUSY}:  # silence asked for / nothing done
        return False
    return outcome is not Outcome.IN_SYNC or notify_on_in_sync


def notice_id(execution_arn: str, outcome: Outcome) -> str:
    """The same for every copy of one run's notice: subscribers drop duplicates by it."""
    return hashlib.sha256(f"{execution_arn}\n{outcome.value}".encode()).hexdigest()[:32]


def one_line_ascii(text: str) -> str:
    """No control characters (line breaks, tabs, escapes, ...), ASCII only."""
    cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(cleaned.encode("ascii", "replace").decode().split())


def render_subject(stack_name: str, outcome: Outcome) -> str:
    """`drift-healer OUTCOME: stack`, ASCII, one line, under 100 characters."""
    head = f"drift-healer {outcome.value}: "
    name = one_line_ascii(stack_name)
    room = MAX_SUBJECT_CHARS - len(head)
    return head + (name if len(name) <= room else name[: room - 3] + "...")


def notice_attributes(report: RunReport, execution_arn: str) -> dict[str, str]:
    """SNS message attributes (for subscription filter policies); they count against the
    message size, so the stack name is cut like the head's."""
    outcome = report.final_outcome
    return {
        "stack": one_line(report.stack_name, HEAD_NAME_CHARS),
        "outcome": outcome.value,
        "region": report.region or "unknown",
        "notice-id": notice_id(execution_arn, outcome),
    }


def render_notice(report: RunReport, execution_arn: str) -> Notice:
    """The notice, measured as SNS measures it (drift_common.sns) and shrunk until it fits."""
    outcome = report.final_outcome
    subject = render_subject(report.stack_name, outcome)
    attributes = notice_attributes(report, execution_arn)
    text_budget, json_budget = MAX_TEXT_BYTES, MAX_JSON_BYTES
    while text_budget >= MIN_TEXT_BYTES:
        notice = Notice(
            subject=subject,
            body=render_body(report, execution_arn, text_budget),
            result_json=json.dumps(
                fit_result(report.to_result() | {"DurableExecutionArn": execution_arn}, json_budget)
            ),
            attributes=attributes,
        )
        # JSON-in-JSON escaping grows the message: shrink until the whole of it fits.
        if message_size(notice.message, attributes, subject) <= MAX_MESSAGE_BYTES:
            return notice
        text_budget, json_budget = text_budget * 3 // 4, json_budget * 3 // 4
    return _fallback(report, execution_arn, subject, attributes)


def _fallback(
    report: RunReport, execution_arn: str, subject: str, attributes: dict[str, str]
) -> Notice:
    """The head's essentials only, each cut short: what no content can make too long."""
    outcome = report.final_outcome
    name = one_line(report.stack_name, FALLBACK_CHARS)
    reason = one_line(report.reason, FALLBACK_CHARS * 5)
    body = "\n".join(
        [
            f"Stack:    {name}",
            f"Region:   {report.region or 'unknown'}",
            f"Outcome:  {outcome.value}",
            f"Reason:   {reason}",
            "(the detail did not fit in one notice: see the durable execution's result)",
            f"Durable execution: {execution_arn}",
        ]
    )
    result = {
        "SchemaVersion": report.to_result()["SchemaVersion"],
        "StackName": name,
        "StackId": report.stack_id,
        "Outcome": outcome.value,
        "Reason": reason,
        "DurableExecutionArn": execution_arn,
        "Omitted": {"Detail": "the detail did not fit in one notice"},
    }
    # A few KB at most, whatever the input: ~1,200 characters, 12 bytes each at worst.
    return Notice(subject, body + "\n", json.dumps(result), attributes)
