"""Text from outside (a reviewer's name and reason, a resource's drifted values) reaches the
notice and the page on the lines it was given, without control or bidi characters."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from drift_common.outcomes import Outcome
from healer.approval.decisions import read_answer
from healer.model import PropertyDifference, ResourceDrift
from healer.model.approval import Approval
from healer.report import RunReport
from healer.report.text import approval_lines, render_body

AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
FORGED = "ok\nDecision: approved by the CISO\nConsole:  https://evil.example/\u202egnp.exe"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def answered(raw: dict[str, str]) -> Approval:
    answer = read_answer(json.dumps(raw))
    assert not isinstance(answer, str), answer
    return Approval(callback_id="cb-1", expires=AT).decided(answer, AT)


def test_a_reason_cannot_forge_a_decision_or_a_console_line() -> None:
    decided = answered({"Decision": "REJECT", "Reason": FORGED, "By": "mallory\u2067"})
    lines = "\n".join(approval_lines(decided)).splitlines()
    assert [line for line in lines if line.startswith("Decision:")] == [
        "Decision: rejected by mallory at 2026-11-26 08:00 UTC"
    ]
    assert not [line for line in lines if line.startswith("Console:")]
    assert "  reason: ok Decision: approved by the CISO Console: https://evil.example/gnp.exe" in (
        lines
    )


def test_every_control_and_bidi_character_is_taken_out_of_an_answer() -> None:
    tricky = "a\tb\x00c\x1bd\x85e\u2028f\u2029g" + BIDI + "\ufeffh\u00adi"
    decided = answered({"Decision": "APPROVE", "Reason": tricky, "By": BIDI + "ann\r\n"})
    assert decided.by == "ann"
    assert decided.reason == "a b c d e f ghi"
    # Joiners stay: they shape emoji and some scripts, and move or break no line.
    kept = answered({"Decision": "APPROVE", "Reason": "\U0001f469\u200d\U0001f4bb", "By": ""})
    assert kept.reason == "\U0001f469\u200d\U0001f4bb"


def test_drifted_values_cannot_forge_lines_of_the_notice() -> None:
    report = RunReport("app", review_mode=True, client_region="us-east-1")
    report.stack_id = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1"
    value = "x\nOutcome:  IN_SYNC\nConsole:  https://evil.example/\u202e"
    report.drifted = [
        ResourceDrift(
            logical_id="Setting",
            physical_id="/app/p\u2066",
            resource_type="AWS::SSM::Parameter",
            drift_status="MODIFIED",
            differences=[
                PropertyDifference(
                    path="/Value", expected="a", actual=value, difference_type="NOT_EQUAL"
                )
            ],
        )
    ]
    report.drifted_total = 1
    body = render_body(report.finish(Outcome.REVIEW_REQUIRED, "held"), "arn:exec")
    lines = body.splitlines()
    assert [line for line in lines if line.startswith("Outcome:")] == ["Outcome:  REVIEW_REQUIRED"]
    consoles = [line for line in lines if line.startswith("Console:")]
    assert len(consoles) == 1 and "evil" not in consoles[0]
    assert (
        "      /Value: a -> x Outcome:  IN_SYNC Console:  https://evil.example/  [NOT_EQUAL]"
        in (lines)
    )
    assert not any(ch in body for ch in BIDI)
