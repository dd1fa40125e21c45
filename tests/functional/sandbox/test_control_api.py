"""Every control endpoint docs/sandbox.md documents, over HTTP, as a person at a shell uses it.

Each test changes the sandbox through ``/_sandbox/...`` and checks the effect through the
AWS API (boto3), not through the sandbox's Python objects.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.emulator import AwsSandbox
from tests.functional.sandbox.helpers import (
    Clients,
    call,
    create_stack,
    detect,
    wait_change_set,
    wait_stack,
)

KEEP = [{"ParameterKey": "Greeting", "UsePreviousValue": True}]


def post(sb: AwsSandbox, path: str, body: Any) -> Any:
    status, answer = call(sb, "POST", path, body)
    assert status == 200, answer
    return answer


def get(sb: AwsSandbox, path: str) -> Any:
    status, answer = call(sb, "GET", path)
    assert status == 200, answer
    return answer


def drift_param(aws: Clients) -> None:
    aws.ssm.put_parameter(Name="/app/dev/greeting", Value="changed", Overwrite=True)


def revert_drift(aws: Clients, name: str = "heal") -> dict[str, Any]:
    cs_id = aws.cf.create_change_set(
        StackName="app",
        ChangeSetName=name,
        UsePreviousTemplate=True,
        Parameters=KEEP,
        DeploymentMode="REVERT_DRIFT",
    )["Id"]
    return wait_change_set(aws, cs_id)


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_get_counts(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.cf.describe_stacks(StackName="app")
    counts = get(sb, "/counts")
    assert counts["DescribeStacks"] == 1 and counts["DescribeStacks:OK"] == 1


def test_post_and_get_faults(sb: AwsSandbox, aws: Clients) -> None:
    post(sb, "/faults", {"action": "ListStacks", "throttle_rate": 1.0})
    assert get(sb, "/faults")["rules"]["ListStacks"]["throttle_rate"] == 1.0
    with pytest.raises(ClientError) as err:
        aws.cf.list_stacks()
    assert code(err) == "Throttling"


def test_bad_fault_rule_is_a_400_naming_the_problem(sb: AwsSandbox) -> None:
    status, answer = call(sb, "POST", "/faults", {"action": "*", "throttle_rate": 2})
    assert status == 400 and "between 0 and 1" in answer["error"]


def test_faults_seed_makes_throttling_repeatable(sb: AwsSandbox, aws: Clients) -> None:
    post(sb, "/faults", {"action": "ListStacks", "throttle_rate": 0.5})

    def draws() -> list[str]:
        post(sb, "/faults/seed", {"seed": 7})
        seen = []
        for _ in range(12):
            try:
                aws.cf.list_stacks()
                seen.append("OK")
            except ClientError as exc:
                seen.append(exc.response["Error"]["Code"])
        return seen

    first = draws()
    assert first == draws() and {"OK", "Throttling"} == set(first)


def test_detection_failed(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    post(sb, "/faults/detection-failed", {"stack_name": "app", "reason": "no access"})
    status = detect(aws)
    assert status["DetectionStatus"] == "DETECTION_FAILED"
    assert "no access" in status["DetectionStatusReason"]


def test_change_set_failed(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    drift_param(aws)
    post(sb, "/faults/change-set-failed", {"stack_name": "app", "reason": "broken"})
    change_set = revert_drift(aws)
    assert (change_set["Status"], change_set["StatusReason"]) == ("FAILED", "broken")


def test_execute_failed(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    drift_param(aws)
    post(sb, "/faults/execute-failed", {"stack_name": "app", "logical_id": "Param"})
    change_set = revert_drift(aws)
    aws.cf.execute_change_set(ChangeSetName=change_set["ChangeSetId"])
    wait_stack(aws)
    after = aws.cf.describe_change_set(ChangeSetName=change_set["ChangeSetId"])
    assert after["ExecutionStatus"] == "EXECUTE_FAILED"


def test_fail_after_loses_the_response(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    post(sb, "/faults/fail-after", {"action": "DescribeStacks", "error": "InternalFailure"})
    assert get(sb, "/faults")["fail_after"] == {"DescribeStacks": ["InternalFailure"]}
    with pytest.raises(ClientError) as err:
        aws.cf.describe_stacks(StackName="app")
    assert code(err) == "InternalFailure"
    aws.cf.describe_stacks(StackName="app")  # used up


def test_faults_clear_clears_every_kind_of_fault(sb: AwsSandbox, aws: Clients) -> None:
    """Issue 11, observation 2: forced failures survived faults/clear."""
    create_stack(aws)
    drift_param(aws)
    post(sb, "/faults", {"action": "*", "latency_seconds": 0.01})
    post(sb, "/faults/detection-failed", {"stack_name": "app", "reason": "forced"})
    post(sb, "/faults/execute-failed", {"stack_name": "app", "logical_id": "Param"})
    post(sb, "/faults/change-set-failed", {"stack_name": "app", "reason": "forced"})
    post(sb, "/faults/fail-after", {"action": "ExecuteChangeSet", "times": 2})

    post(sb, "/faults/clear", {})

    assert get(sb, "/faults") == {
        "rules": {},
        "detection_failures": {},
        "execute_failures": {},
        "change_set_failures": {},
        "fail_after": {},
    }
    assert detect(aws)["DetectionStatus"] == "DETECTION_COMPLETE"
    change_set = revert_drift(aws)
    assert change_set["Status"] == "CREATE_COMPLETE"
    aws.cf.execute_change_set(ChangeSetName=change_set["ChangeSetId"])
    assert wait_stack(aws) == "UPDATE_COMPLETE"


def test_faults_clear_for_one_stack_or_action_keeps_the_others(
    sb: AwsSandbox, aws: Clients
) -> None:
    post(sb, "/faults", {"action": "ListStacks", "throttle_rate": 1.0})
    post(sb, "/faults", {"action": "DescribeStacks", "throttle_rate": 1.0})
    post(sb, "/faults/detection-failed", {"stack_name": "app", "reason": "a"})
    post(sb, "/faults/detection-failed", {"stack_name": "other", "reason": "b"})
    post(sb, "/faults/clear", {"action": "ListStacks"})
    post(sb, "/faults/clear", {"stack_name": "app"})
    faults = get(sb, "/faults")
    assert list(faults["rules"]) == ["DescribeStacks"]
    assert list(faults["detection_failures"]) == ["other"]


def test_timing(sb: AwsSandbox) -> None:
    post(sb, "/timing", {"detection": {"seconds": 0, "min_polls": 3}})
    assert get(sb, "/timing")["detection"] == {"seconds": 0.0, "min_polls": 3}


def test_stack_status(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    post(sb, "/stack-status", {"stack_name": "app", "status": "UPDATE_IN_PROGRESS"})
    assert aws.cf.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"] == (
        "UPDATE_IN_PROGRESS"
    )
    status, answer = call(sb, "POST", "/stack-status", {"stack_name": "ghost", "status": "X"})
    assert status == 400 and "ghost" in answer["error"]


def test_unknown_endpoint_is_a_404(sb: AwsSandbox) -> None:
    assert call(sb, "POST", "/nope", {})[0] == 404


def test_reset_empties_the_sandbox_and_runs_the_after_reset_hooks(
    sb: AwsSandbox, aws: Clients
) -> None:
    create_stack(aws)
    post(sb, "/faults/detection-failed", {"stack_name": "app", "reason": "forced"})
    post(sb, "/timing", {"detection": {"seconds": 0, "min_polls": 3}})
    restored: list[str] = []
    sb.after_reset(lambda: restored.append("inbox"))
    try:
        post(sb, "/reset", {})
    finally:
        sb.clear_after_reset_hooks()
    assert aws.cf.describe_stacks()["Stacks"] == []
    assert get(sb, "/faults")["detection_failures"] == {}
    assert get(sb, "/timing")["detection"]["min_polls"] == 1
    assert restored == ["inbox"]
