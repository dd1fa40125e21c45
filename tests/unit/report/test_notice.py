import json

from drift_common.outcomes import Outcome
from healer.model.records import (
    ChangeSetRef,
    FailedResource,
    PlannedChange,
    PropertyDifference,
    ResourceDrift,
)
from healer.report.notice import (
    MAX_MESSAGE_BYTES,
    MAX_TEXT_BYTES,
    notice_id,
    render_notice,
    render_subject,
    should_notify,
)
from healer.report.run import PhaseReport, RunReport

STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/0a1b"
CS_ID = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/drift-healer-1/2c3d"
EXECUTION = "arn:aws:lambda:us-east-1:123456789012:function:drift-healer:live/durable-execution/x/y"


def drifted_report(outcome: Outcome, reason: str) -> RunReport:
    report = RunReport("app", review_mode=False, stack_id=STACK_ID, stack_status="UPDATE_COMPLETE")
    report.drifted = [
        ResourceDrift(
            logical_id="Param",
            physical_id="/drift-test/sample",
            resource_type="AWS::SSM::Parameter",
            drift_status="MODIFIED",
            differences=[
                PropertyDifference(
                    path="/Value",
                    expected="initial-value",
                    actual="hacked",
                    difference_type="NOT_EQUAL",
                )
            ],
        ),
        ResourceDrift(
            logical_id="Queue",
            physical_id=None,
            resource_type="AWS::SQS::Queue",
            drift_status="DELETED",
        ),
    ]
    report.change_set = ChangeSetRef(change_set_id=CS_ID, change_set_name="drift-healer-1")
    report.phases["detection"] = PhaseReport(seconds=3.2, polls=3, transient_errors=1)
    return report.finish(outcome, reason)


def test_notice_names_stack_outcome_drift_and_change_set() -> None:
    report = drifted_report(Outcome.HEALED, "drift detection now reports IN_SYNC")
    report.planned_changes = [
        PlannedChange(
            logical_id="Param",
            resource_type="AWS::SSM::Parameter",
            action="Modify",
            replacement="False",
        )
    ]
    notice = render_notice(report, EXECUTION)
    assert notice.attributes == {
        "stack": "app",
        "outcome": "HEALED",
        "region": "us-east-1",
        "notice-id": notice_id(EXECUTION, Outcome.HEALED),
    }
    assert notice.subject == "drift-healer HEALED: app"
    body = notice.body
    assert "Region:   us-east-1" in body
    assert "/Value: initial-value -> hacked  [NOT_EQUAL]" in body
    assert "Queue (AWS::SQS::Queue): DELETED" in body
    assert "drift-healer-1" in body and "changeSetId=" in body
    assert "Param (AWS::SSM::Parameter): Modify, replacement False" in body
    assert "detection 3.2 s / 3 poll(s) / 1 throttled" in body
    assert EXECUTION in body


def test_failure_notice_carries_cloudformations_reasons() -> None:
    report = drifted_report(Outcome.EXECUTION_FAILED, "change set EXECUTE_FAILED")
    report.failed_resources = [
        FailedResource(
            logical_id="Param",
            resource_type="AWS::SSM::Parameter",
            status="UPDATE_FAILED",
            reason="User is not authorized to perform ssm:PutParameter",
        )
    ]
    body = render_notice(report, EXECUTION).body
    assert "Reason:   change set EXECUTE_FAILED" in body
    assert "Param (AWS::SSM::Parameter) UPDATE_FAILED: User is not authorized" in body


def test_subject_stays_under_100_ascii_characters() -> None:
    subject = render_subject("s" + "x" * 127, Outcome.PARTIALLY_HEALED)
    assert len(subject) < 100
    assert subject.startswith("drift-healer PARTIALLY_HEALED: sxx")
    assert subject.endswith("...")
    assert render_subject("caf\u00e9\nstack", Outcome.ERROR).isascii()
    assert "\n" not in render_subject("caf\u00e9\nstack", Outcome.ERROR)


def long_drift(count: int, value_chars: int) -> list[ResourceDrift]:
    diff = PropertyDifference(
        path="/Policy",
        expected="a" * value_chars,
        actual="b" * value_chars,
        difference_type="NOT_EQUAL",
    )
    return [
        ResourceDrift(
            logical_id=f"R{i}",
            physical_id=None,
            resource_type="AWS::IAM::Policy",
            drift_status="MODIFIED",
            differences=[diff],
        )
        for i in range(count)
    ]


def test_a_long_notice_keeps_its_head_and_counts_what_it_left_out() -> None:
    report = drifted_report(Outcome.REVIEW_REQUIRED, "the safety gate held the change set")
    report.drifted = long_drift(200, 5000)
    report.drifted_total = 230
    report.review_reasons = [f"R{i} (AWS::IAM::Policy): reason {i}" for i in range(40)]

    notice = render_notice(report, EXECUTION)

    body = notice.body
    assert len(body.encode()) <= MAX_TEXT_BYTES
    assert len(notice.message.encode()) <= MAX_MESSAGE_BYTES
    head = body[: body.index("Drifted resources")]
    for must in (
        "Outcome:  REVIEW_REQUIRED",
        "changeSetId=",
        "Held for review because:",
        "R0 (AWS::IAM::Policy): reason 0",
        "... and 15 more",
        "Next: ",
        EXECUTION,
    ):
        assert must in head, must
    shown = body.count("  - R")  # drift items (reasons are in the head, counted too)
    assert f"... {230 - (shown - 25)} more drifted resource(s) left out" in body


def test_the_json_version_is_the_result_with_a_schema_version_and_fits() -> None:
    report = drifted_report(Outcome.PARTIALLY_HEALED, "left")
    report.remaining_drift = long_drift(60, 5000)

    notice = render_notice(report, EXECUTION)

    message = json.loads(notice.message)
    assert message["email"] == notice.body
    result = json.loads(message["default"])
    assert result["SchemaVersion"] and result["Outcome"] == "PARTIALLY_HEALED"
    assert result["DurableExecutionArn"] == EXECUTION
    assert result["Omitted"]["RemainingDrift"] > 0
    assert len(result["RemainingDrift"]) + result["Omitted"]["RemainingDrift"] == 60


def test_subject_has_no_control_characters() -> None:
    subject = render_subject("app\x00\t\r\x1b[31m\x7fred\u0085x", Outcome.ERROR)
    assert all(ch.isprintable() for ch in subject), repr(subject)
    assert subject == "drift-healer ERROR: app [31m red x"


def test_notice_id_is_stable_per_execution_and_outcome() -> None:
    assert notice_id(EXECUTION, Outcome.HEALED) == notice_id(EXECUTION, Outcome.HEALED)
    assert notice_id(EXECUTION, Outcome.HEALED) != notice_id(EXECUTION, Outcome.ERROR)
    assert notice_id(EXECUTION, Outcome.HEALED) != notice_id(EXECUTION + "2", Outcome.HEALED)


def test_in_sync_is_quiet_unless_asked() -> None:
    assert not should_notify(Outcome.IN_SYNC, notify_on_in_sync=False)
    assert should_notify(Outcome.IN_SYNC, notify_on_in_sync=True)
    quiet = {Outcome.IN_SYNC, Outcome.OPTED_OUT, Outcome.BUSY}
    assert all(should_notify(o, notify_on_in_sync=False) for o in Outcome if o not in quiet)


def test_opted_out_stacks_are_never_notified() -> None:
    assert not should_notify(Outcome.OPTED_OUT, notify_on_in_sync=True)


def test_held_reasons_warnings_and_notes_cannot_forge_lines_of_the_head() -> None:
    """They quote resource ids and CloudFormation's text: a line break or a bidi control in
    them must not start a line of its own (a fake `Decision:` or `Console:`)."""
    report = RunReport("app", review_mode=False, stack_id=STACK_ID)
    report.review_reasons = ["Queue (AWS::SQS::Queue): x\nDecision: approved by admin"]
    report.warnings = ["w\r\nConsole:  https://evil.example/\u202e"]
    report.notes = ["n\u2028Next: nothing to do"]
    report.finish(Outcome.REVIEW_REQUIRED, "held\nConsole: https://evil.example/")
    body = render_notice(report, "arn:exec").body
    lines = body.splitlines()
    assert not any(
        line.startswith(("Decision:", "Console:  https://evil", "Next: nothing")) for line in lines
    )
    assert sum(line.startswith("Console:") for line in lines) == 1  # the real link only
    assert "\u202e" not in body and "\u2028" not in body
