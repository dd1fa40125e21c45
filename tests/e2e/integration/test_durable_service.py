"""End-to-end tests of the local durable execution service (dex-local-runner + front door).

Everything goes through a plain boto3 Lambda client pointed at ``svc.endpoint_url``, the
same calls a user makes against AWS.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from sandbox.durable_service import DurableService

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
FUNCTION_NAME = "fixture-fn"
FAILURE_MESSAGE = "fixture handler was asked to fail"  # durable_fixture_handler.FAILURE_MESSAGE


@pytest.fixture(scope="module")
def svc() -> Iterator[DurableService]:
    service = DurableService.start(
        handler="durable_fixture_handler.lambda_handler",
        handler_path=HERE,
        function_name=FUNCTION_NAME,
        # AWS_ENDPOINT_URL points nowhere: the handler's checkpoint client must not use it.
        env={"FIXTURE_MARKER": "from-service-env", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
        skip_time=True,
        sync_invoke_timeout=20,
    )
    try:
        assert service.running
        yield service
    finally:
        service.stop()
    assert not service.running


@pytest.fixture(scope="module")
def lam(svc: DurableService) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=svc.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, read_timeout=30),
    )


def poll(probe: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Call ``probe`` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.05)


def callback_id_of(lam: Any, arn: str) -> str | None:
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    for event in events:
        if event["EventType"] == "CallbackStarted":
            return str(event["CallbackStartedDetails"]["CallbackId"])
    return None


def test_invoke_callback_success(svc: DurableService, lam: Any) -> None:
    response = lam.invoke(
        FunctionName=svc.function_arn,
        InvocationType="Event",
        Payload=json.dumps({"name": "ops"}).encode(),
        DurableExecutionName="happy-path",
    )
    assert response["StatusCode"] == 202
    arn = response["DurableExecutionArn"]

    listed = lam.list_durable_executions_by_function(FunctionName=svc.function_arn)
    assert arn in [e["DurableExecutionArn"] for e in listed["DurableExecutions"]]

    # The execution pauses on its callback; the callback id is in the history.
    callback_id = poll(lambda: callback_id_of(lam, arn))
    running = lam.list_durable_executions_by_function(
        FunctionName=FUNCTION_NAME, Statuses=["RUNNING"]
    )
    assert arn in [e["DurableExecutionArn"] for e in running["DurableExecutions"]]
    lam.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    lam.send_durable_execution_callback_success(
        CallbackId=callback_id, Result=json.dumps({"approved": True}).encode()
    )

    outcome = svc.wait_for_result(arn, timeout=15)
    assert outcome["Status"] == "SUCCEEDED", outcome
    assert outcome["Result"] == {
        "greeting": {"greeting": "hello ops", "marker": "from-service-env"},
        "polls": 3,
        "approval": {"approved": True},
    }
    described = lam.get_durable_execution(DurableExecutionArn=arn)
    assert described["Status"] == "SUCCEEDED"
    assert described["DurableExecutionName"] == "happy-path"
    assert json.loads(described["Result"])["approval"] == {"approved": True}

    events = lam.get_durable_execution_history(DurableExecutionArn=arn, IncludeExecutionData=True)[
        "Events"
    ]
    steps = [e for e in events if e["EventType"] == "StepSucceeded" and e.get("Name") == "greet"]
    assert len(steps) == 1
    assert "hello ops" in steps[0]["StepSucceededDetails"]["Result"]["Payload"]

    # The handler's env was set only around its invocations.
    assert "FIXTURE_MARKER" not in os.environ

    # Same name and payload: the existing execution (idempotent start); other payload: 409.
    again = svc.invoke({"name": "ops"}, execution_name="happy-path")
    assert again == arn
    with pytest.raises(lam.exceptions.DurableExecutionAlreadyStartedException):
        svc.invoke({"name": "someone else"}, execution_name="happy-path")


def test_callback_failure_fails_execution(svc: DurableService, lam: Any) -> None:
    arn = svc.invoke({"name": "rejected"})
    callback_id = poll(lambda: callback_id_of(lam, arn))
    lam.send_durable_execution_callback_failure(
        CallbackId=callback_id, Error={"ErrorType": "Rejected", "ErrorMessage": "nope"}
    )
    outcome = svc.wait_for_result(arn, timeout=15)
    assert outcome["Status"] == "FAILED", outcome
    assert outcome["Result"] is None
    assert outcome["Error"] is not None


def test_failing_handler_sync_invoke(svc: DurableService, lam: Any) -> None:
    response = lam.invoke(
        FunctionName=FUNCTION_NAME,
        Qualifier="live",
        Payload=json.dumps({"name": "x", "fail": True}).encode(),
    )
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert FAILURE_MESSAGE in error["errorMessage"]
    arn = response["DurableExecutionArn"]

    outcome = svc.wait_for_result(arn, timeout=5)
    assert outcome["Status"] == "FAILED"
    assert FAILURE_MESSAGE in outcome["Error"]["ErrorMessage"]
    described = lam.get_durable_execution(DurableExecutionArn=arn)
    assert FAILURE_MESSAGE in described["Error"]["ErrorMessage"]


def test_unknown_function_is_not_found(svc: DurableService, lam: Any) -> None:
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="no-such-function", InvocationType="Event", Payload=b"{}")
    assert lam.invoke(FunctionName=svc.function_arn, InvocationType="DryRun")["StatusCode"] == 204


def test_sync_invoke_waits_for_the_execution(svc: DurableService, lam: Any) -> None:
    def sync_invoke() -> Any:
        return lam.invoke(
            FunctionName=svc.function_arn,
            Payload=json.dumps({"name": "sync"}).encode(),
            DurableExecutionName="sync-run",
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(sync_invoke)
        listed = poll(
            lambda: lam.list_durable_executions_by_function(
                FunctionName=FUNCTION_NAME, DurableExecutionName="sync-run"
            )["DurableExecutions"]
        )
        arn = listed[0]["DurableExecutionArn"]
        callback_id = poll(lambda: callback_id_of(lam, arn))
        assert not pending.done()
        lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"yes"')
        response = pending.result(timeout=15)
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["DurableExecutionArn"] == arn
    assert json.loads(response["Payload"].read())["approval"] == "yes"
