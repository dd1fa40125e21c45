from aws_durable_execution_sdk_python.exceptions import StepInterruptedError
from botocore.exceptions import ClientError, EndpointConnectionError

from drift_common.errors import describe_error, is_transient
from healer.aws.durable import MAX_STEP_ATTEMPTS, retry_decision


def client_error(code: str, status: int = 400, message: str = "m") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "DescribeStacks",
    )


def test_throttling_and_5xx_are_transient() -> None:
    assert is_transient(client_error("Throttling", message="Rate exceeded"))
    assert is_transient(client_error("Whatever", status=503))
    assert is_transient(EndpointConnectionError(endpoint_url="http://x"))


def test_client_mistakes_are_not_transient() -> None:
    assert not is_transient(
        client_error("ValidationError", message="Stack with id x does not exist")
    )
    assert not is_transient(client_error("AccessDenied", status=403))
    assert not is_transient(ValueError("bug"))


def test_describe_error_is_code_and_message() -> None:
    assert describe_error(client_error("AccessDenied", 403, "no")) == "AccessDenied: no"


def test_transient_errors_retry_with_growing_capped_delay() -> None:
    delays = [
        retry_decision(client_error("Throttling"), n).delay_seconds
        for n in range(1, MAX_STEP_ATTEMPTS)
    ]
    assert delays == sorted(delays) and delays[0] == 5 and max(delays) <= 60
    assert not retry_decision(client_error("Throttling"), MAX_STEP_ATTEMPTS).should_retry


def test_permanent_errors_fail_at_once() -> None:
    assert not retry_decision(client_error("ValidationError"), 1).should_retry


def test_interrupted_side_effects_are_retried_only_when_idempotent() -> None:
    interrupted = StepInterruptedError("interrupted")
    assert not retry_decision(interrupted, 1).should_retry
    assert retry_decision(interrupted, 1, retry_interrupted=True).should_retry
