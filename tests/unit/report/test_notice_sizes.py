"""Every notice fits one SNS message, measured as SNS measures it, whatever its fields hold."""

from __future__ import annotations

import json

import pytest

from drift_common.outcomes import Outcome
from healer.model.records import PropertyDifference, ResourceDrift
from healer.report.notice import render_notice
from healer.report.run import RunReport, fit_result

SNS_LIMIT = 262_144
EXECUTION = "arn:aws:lambda:us-east-1:123456789012:function:drift-healer:live/durable-execution/x/y"
EMOJI = "\N{GRINNING FACE}"


def sns_size(message: str, attributes: dict[str, str]) -> int:
    """SNS Publish: UTF-8 bytes of the body plus each attribute's name, type and value."""
    return len(message.encode()) + sum(
        len(name.encode()) + len(b"String") + len(value.encode())
        for name, value in attributes.items()
    )


def invalid_name_report(name: str) -> RunReport:
    # What the handler reports for an event whose StackName is not a stack name: the
    # validation message quotes the whole name.
    report = RunReport(name, review_mode=False, client_region="us-east-1")
    return report.finish(
        Outcome.ERROR, f"invalid event: StackName: {name!r} is not a CloudFormation stack name"
    )


@pytest.mark.parametrize("character", ["\u00e9", EMOJI, "\x07", '"', "\\"])
def test_a_45000_character_stack_name_gives_a_notice_sns_accepts(character: str) -> None:
    name = character * 45_000

    notice = render_notice(invalid_name_report(name), EXECUTION)

    assert sns_size(notice.message, notice.attributes) < SNS_LIMIT
    assert len(notice.subject) < 100
    head = notice.body.splitlines()
    stack_line = next(line for line in head if line.startswith("Stack:"))
    assert character * 100 in stack_line or character == "\x07"  # the name's start is shown
    assert "characters cut]" in stack_line
    assert "characters cut]" in next(line for line in head if line.startswith("Reason:"))
    assert len(notice.attributes["stack"]) < 400
    result = json.loads(json.loads(notice.message)["default"])
    assert result["Outcome"] == "ERROR" and len(result["StackName"]) < 400


def test_the_json_result_cuts_free_text_that_alone_is_too_long() -> None:
    result = invalid_name_report("\u00e9" * 45_000).to_result()
    result["Notes"] = [EMOJI * 30_000]

    fitted = fit_result(result, 100_000)

    assert len(json.dumps(fitted).encode()) <= 100_000
    assert fitted["StackName"].startswith("\u00e9" * 100)
    assert fitted["Outcome"] == "ERROR"


def test_emoji_drift_values_keep_the_notice_within_sns_limit() -> None:
    report = RunReport("app", review_mode=True, client_region="us-east-1")
    report.drifted = [
        ResourceDrift(
            logical_id=f"Param{i}",
            physical_id=f"/app/{i}",
            resource_type="AWS::SSM::Parameter",
            drift_status="MODIFIED",
            differences=[
                PropertyDifference(
                    path=f"/Tags/{EMOJI * 20}{n}",
                    expected=EMOJI * 256,
                    actual=EMOJI * 256,
                    difference_type="NOT_EQUAL",
                )
                for n in range(4)
            ],
        )
        for i in range(77)
    ]
    report.drifted_total = 77
    report.finish(Outcome.REVIEW_REQUIRED, "review mode")

    notice = render_notice(report, EXECUTION)

    assert sns_size(notice.message, notice.attributes) < SNS_LIMIT
    assert "Param0 (AWS::SSM::Parameter" in notice.body


def test_a_head_too_long_even_cut_falls_back_to_its_essentials() -> None:
    report = RunReport("app", review_mode=True, client_region="us-east-1")
    long = EMOJI * 600  # cut to 500 characters an item, 12 bytes each once escaped
    report.review_reasons = [long] * 30
    report.warnings = [long] * 30
    report.notes = [long] * 30
    report.finish(Outcome.REVIEW_REQUIRED, "held")

    notice = render_notice(report, EXECUTION)

    assert sns_size(notice.message, notice.attributes) < SNS_LIMIT
    assert "Outcome:  REVIEW_REQUIRED" in notice.body
    assert "the detail did not fit in one notice" in notice.body
    assert json.loads(json.loads(notice.message)["default"])["Outcome"] == "REVIEW_REQUIRED"
