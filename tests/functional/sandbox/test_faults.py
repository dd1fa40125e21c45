"""Fault injection, counters and the HTTP control API."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from sandbox.emulator import AwsSandbox
from tests.functional.sandbox.helpers import Clients, create_stack


def outcomes(aws: Clients, n: int) -> list[str]:
    out = []
    for _ in range(n):
        try:
            aws.cf.describe_stacks(StackName="app")
            out.append("OK")
        except ClientError as exc:
            out.append(exc.response["Error"]["Code"])
    return out


def test_throttling_is_seeded_counted_and_parsed_by_botocore(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    sb.faults.set("DescribeStacks", throttle_rate=0.5)
    sb.faults.seed(1234)
    first = outcomes(aws, 20)
    sb.faults.seed(1234)
    again = outcomes(aws, 20)
    assert first == again  # deterministic with a seed
    throttled = first.count("Throttling")
    assert 0 < throttled < 20
    assert set(first) == {"OK", "Throttling"}
    counts = sb.faults.counts()
    assert counts["DescribeStacks"] == 40
    assert counts["DescribeStacks:Throttling"] == 2 * throttled
    assert counts["DescribeStacks:OK"] == 40 - 2 * throttled
    with pytest.raises(ClientError) as err:
        sb.faults.set("DescribeStacks", throttle_rate=1.0)
        aws.cf.describe_stacks(StackName="app")
    meta = err.value.response
    assert meta["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert meta["Error"]["Message"] == "Rate exceeded"
    assert meta["Error"]["Type"] == "Sender"


def test_server_errors_and_wildcard_only_hit_cloudformation(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    sb.faults.set("*", server_error_rate=1.0)
    seen = set()
    for _ in range(12):
        with pytest.raises(ClientError) as err:
            aws.cf.list_stacks()
        seen.add(
            (
                err.value.response["Error"]["Code"],
                err.value.response["ResponseMetadata"]["HTTPStatusCode"],
            )
        )
    assert seen <= {("InternalFailure", 500), ("ServiceUnavailable", 503)}
    assert len(seen) == 2
    aws.ssm.describe_parameters()  # other services are never faulted
    sb.faults.set("ListStacks")  # an action rule overrides "*"
    aws.cf.list_stacks()


def test_latency(sb: AwsSandbox, aws: Clients) -> None:
    sb.faults.set("ListStacks", latency_seconds=0.3)
    start = time.monotonic()
    aws.cf.list_stacks()
    assert time.monotonic() - start >= 0.3


def test_error_responses_are_counted_apart(sb: AwsSandbox, aws: Clients) -> None:
    with pytest.raises(ClientError):
        aws.cf.describe_stacks(StackName="ghost")
    counts = sb.faults.counts()
    assert counts["DescribeStacks"] == 1 and counts["DescribeStacks:Error"] == 1
    assert "DescribeStacks:OK" not in counts


def test_reset_clears_everything(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    sb.faults.set("*", throttle_rate=1.0)
    sb.reset()
    assert sb.faults.counts() == {}
    assert aws.cf.describe_stacks()["Stacks"] == []
