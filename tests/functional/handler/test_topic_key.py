"""A briefly throttled topic key only delays a notice; a key that denies SNS fails the run."""

from __future__ import annotations

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, deploy, drift_sample, run_handler
from tests.stacks import SAMPLE_TEMPLATE


def test_a_briefly_throttled_topic_key_is_retried_and_the_notice_goes_out(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.sns_faults.fail("KMSThrottling", times=2)  # the wire code of KMSThrottlingException

    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    assert run.result.error is None, run.result.error
    assert run.outcome == "REVIEW_REQUIRED"
    assert run.notice.attributes["outcome"] == "REVIEW_REQUIRED"
    counts = aws.sns_faults.counts()
    assert (counts["Publish:KMSThrottling"], counts["Publish:OK"]) == (2, 1)
    assert run.output["Notified"] is True


def test_a_key_that_denies_sns_is_not_retried_and_fails_the_run(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.sns_faults.fail("KMSAccessDenied", times=10)

    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    # A key policy is for a person to fix: one attempt, then the failed run (and its alarm,
    # on a topic of its own) says so.
    assert aws.sns_faults.counts()["Publish"] == 1
    assert run.result.error is not None
    assert (run.result.error.message or "").startswith("NOTICE_NOT_PUBLISHED: ")
    assert "KMSAccessDenied" in (run.result.error.message or "")
