"""Which AWS errors are worth another try, and how to name one: pure classification shared by
every function's steps and polls."""

from __future__ import annotations

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError
from botocore.exceptions import ConnectionError as BotoConnectionError

# botocore's standard retry mode treats these as throttling or transient (botocore/retries).
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        # SNS (botocore model): ThrottledException is `Throttled` (HTTP 429) on the wire, and
        # KMSThrottlingException `KMSThrottling` (400): the topic's key is rate-limited. The
        # other KMS errors of Publish (KMSDisabled, KMSInvalidState, KMSNotFound,
        # KMSAccessDenied, KMSOptInRequired) say the key or its policy is wrong: a person has
        # to fix them, and retrying for minutes would only delay the alarm.
        "Throttled",
        "KMSThrottling",
    }
)
# Too Many Requests: throttling whatever the code (botocore's standard mode retries it too).
_THROTTLED_STATUS = 429


def error_code(error: BaseException) -> str | None:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code") or "") or None
    return None


def is_transient(error: BaseException) -> bool:
    """Throttling, 5xx and connection trouble: the same call may succeed later."""
    # BotoConnectionError covers EndpointConnectionError, ConnectTimeoutError, proxy errors.
    if isinstance(error, BotoConnectionError | ConnectionClosedError | ReadTimeoutError):
        return True
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return (
            error_code(error) in TRANSIENT_CODES
            or int(status) >= 500
            or int(status) == _THROTTLED_STATUS
        )
    return False


def describe_error(error: BaseException) -> str:
    """A one-line reason for a notice: `Code: message` for AWS errors."""
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return f"{detail.get('Code', 'Error')}: {detail.get('Message', str(error))}"
    return f"{type(error).__name__}: {error}"


# SendDurableExecutionCallbackSuccess answers these for a callback that is already closed
# (completed, timed out: "The callback ID token has either expired or the callback associated
# with the token has already been closed") or whose execution is gone. The local durable
# service (dex-local-runner) answers a bare HTTP 404 "not in STARTED state" instead.
CALLBACK_CLOSED_CODES = frozenset({"CallbackTimeoutException", "ResourceNotFoundException"})


def callback_closed(error: BaseException) -> bool:
    """The callback answered is no longer waiting: decided, expired, or its run is gone."""
    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error_code(error) in CALLBACK_CLOSED_CODES or status == 404
