from healer.model import (
    ChangeSetRef,
    FailedResource,
    PlannedChange,
    PropertyDifference,
    ResourceDrift,
)
from healer.notice import MAX_BODY_BYTES, render_notice, render_subject, should_notify, truncate
from healer.outcomes import Outcome
from healer.report import PhaseReport, RunReport

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
    assert notice.attributes == {"stack": "app", "outcome": "HEALED"}
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


def test_huge_body_is_truncated_with_a_note() -> None:
    report = drifted_report(Outcome.PARTIALLY_HEALED, "left")
    diff = PropertyDifference(
        path="/Policy", expected="a" * 5000, actual="b" * 5000, difference_type="NOT_EQUAL"
    )
    report.remaining_drift = [
        ResourceDrift(
            logical_id=f"R{i}",
            physical_id=None,
            resource_type="AWS::IAM::Policy",
            drift_status="MODIFIED",
            differences=[diff],
        )
        for i in range(60)
    ]
    body = render_notice(report, EXECUTION).body
    assert len(body.encode()) <= MAX_BODY_BYTES
    assert "truncated" in body.splitlines()[-1]
    assert body.startswith("Stack:    app")


def test_truncate_leaves_small_bodies_alone() -> None:
    assert truncate("short\n") == "short\n"


def test_in_sync_is_quiet_unless_asked() -> None:
    assert not should_notify(Outcome.IN_SYNC, notify_on_in_sync=False)
    assert should_notify(Outcome.IN_SYNC, notify_on_in_sync=True)
    quiet = {Outcome.IN_SYNC, Outcome.OPTED_OUT}
    assert all(should_notify(o, notify_on_in_sync=False) for o in Outcome if o not in quiet)


def test_opted_out_stacks_are_never_notified() -> None:
    assert not should_notify(Outcome.OPTED_OUT, notify_on_in_sync=True)
