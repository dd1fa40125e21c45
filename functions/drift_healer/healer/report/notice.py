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
from healer.model import Notice
from healer.report.run import RunReport, fit_result
from healer.report.text import MAX_TEXT_BYTES, render_body

# SNS: Subject "must be less than 100 characters", ASCII, no line breaks or control
# characters; a message (all protocols' versions together, plus attributes) at most 256 KB.
MAX_SUBJECT_CHARS = 99
MAX_MESSAGE_BYTES = 250_000
MAX_JSON_BYTES = 110_000


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


def render_notice(report: RunReport, execution_arn: str) -> Notice:
    outcome = report.final_outcome
    text_budget, json_budget = MAX_TEXT_BYTES, MAX_JSON_BYTES
    while True:
        notice = Notice(
            subject=render_subject(report.stack_name, outcome),
            body=render_body(report, execution_arn, text_budget),
            result_json=json.dumps(
                fit_result(report.to_result() | {"DurableExecutionArn": execution_arn}, json_budget)
            ),
            attributes={
                "stack": report.stack_name,
                "outcome": outcome.value,
                "region": report.region or "unknown",
                "notice-id": notice_id(execution_arn, outcome),
            },
        )
        # JSON-in-JSON escaping can grow the message: shrink until the whole of it fits.
        if len(notice.message.encode()) <= MAX_MESSAGE_BYTES or text_budget < 4_000:
            return notice
        text_budget, json_budget = text_budget * 3 // 4, json_budget * 3 // 4
