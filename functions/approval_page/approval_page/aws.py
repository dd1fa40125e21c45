"""The approval page's AWS calls: one call (or one paginated read) per function.

Its role may only read the change set and drift of the healer's stacks (in another region
or account as that account's execution role, as the healer read them), read the signing
secret, read the healer's execution history and answer its callbacks.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.handlers import json_decode_template_body

from drift_common import clients, credentials
from drift_common.approval import REQUEST_STEP_NAME, InvalidTokenError, LinkClaims
from drift_common.errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

AGENT = "cfn-drift-healer-page/0.1"
# A link verifies while its key version is the current or the previous one: rotating the
# secret twice retires every older link. A warm page re-reads a version after this long.
KEY_CACHE_SECONDS = 300.0
LIVE_STAGES = frozenset({"AWSCURRENT", "AWSPREVIOUS"})
_keys: dict[tuple[str, str], tuple[float, bytes]] = {}
_keys_lock = threading.Lock()


def _client(service: str) -> Any:
    return clients.client(service, agent=AGENT)


# The target role may change stacks; the page only reads. A session policy cuts the page's
# session down to the two reads (effective rights: the role's AND this), whatever the role.
READ_ONLY_SESSION = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "cloudformation:DescribeChangeSet",
                    "cloudformation:DescribeStackResourceDrifts",
                    "cloudformation:GetTemplate",  # issue 17: the diff of keeping the change
                ],
                "Resource": "*",
            }
        ],
    }
)


def stack_reader(claims: LinkClaims) -> CloudFormationClient:
    """CloudFormation where the healer read the stack: its region, and the target
    account's execution role (read-only session) when the healer used one."""
    if claims.account_id is None:
        return clients.cloudformation(region=claims.region, agent=AGENT)
    # The claims are signed, but the page keeps to the same accounts as the healer.
    if problem := credentials.account_problem(claims.account_id):
        raise credentials.AccountNotAllowedError(problem)
    sts = _client("sts")
    creds = sts.assume_role(
        RoleArn=credentials.role_arn(claims.account_id),
        RoleSessionName=AGENT.split("/", maxsplit=1)[0],
        Policy=READ_ONLY_SESSION,
    )["Credentials"]
    typed: CloudFormationClient = boto3.client(
        "cloudformation",
        region_name=claims.region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=Config(retries={"mode": "standard"}, user_agent_extra=AGENT),
    )
    return typed


def _lambda() -> LambdaClient:
    typed: LambdaClient = _client("lambda")
    return typed


def _secrets() -> SecretsManagerClient:
    typed: SecretsManagerClient = _client("secretsmanager")
    return typed


def signing_key(secret_arn: str, version: str) -> bytes:
    """The key of secret version `version` (GetSecretValue with VersionId, kept for
    KEY_CACHE_SECONDS); InvalidTokenError when that version is gone or retired (it has
    neither AWSCURRENT nor AWSPREVIOUS). Other errors (denied, throttled) propagate: a
    link that cannot be checked decides nothing."""
    now = time.monotonic()
    with _keys_lock:
        held = _keys.get((secret_arn, version))
    if held is not None and now - held[0] < KEY_CACHE_SECONDS:
        return held[1]
    try:
        secret = _secrets().get_secret_value(SecretId=secret_arn, VersionId=version)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        stages: set[str] = set()
    else:
        stages = set(secret.get("VersionStages", []))
    if not LIVE_STAGES & stages:  # not kept: a made-up version must not grow the cache
        with _keys_lock:
            _keys.pop((secret_arn, version), None)
        raise InvalidTokenError(
            "the link was signed with a key that has been retired (rotated): it decides "
            "nothing any more; answer with the CLI (drift-healer approve|reject)"
        )
    key = secret["SecretString"].encode()
    with _keys_lock:
        _keys[(secret_arn, version)] = (now, key)
    return key


def read_change_set(cfn: CloudFormationClient, claims: LinkClaims) -> dict[str, Any]:
    """DescribeChangeSet, every page of Changes (IncludePropertyValues: the reviewer sees
    the values that will be written back)."""
    first: dict[str, Any] | None = None
    changes: list[Any] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "ChangeSetName": claims.change_set_id,
            "StackName": claims.stack_id,
        }
        if token:
            kwargs["NextToken"] = token
        page = cfn.describe_change_set(**kwargs)
        first = first or dict(page)
        changes += page.get("Changes", [])
        token = page.get("NextToken")
        if not token:
            break
    first["Changes"] = changes
    return first


def read_drift(cfn: CloudFormationClient, claims: LinkClaims) -> list[dict[str, Any]]:
    """DescribeStackResourceDrifts (MODIFIED and DELETED), every page: the latest detection."""
    drifts: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "StackName": claims.stack_id,
            "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"],
        }
        if token:
            kwargs["NextToken"] = token
        page = cfn.describe_stack_resource_drifts(**kwargs)
        drifts += [dict(d) for d in page["StackResourceDrifts"]]
        token = page.get("NextToken")
        if not token:
            return drifts


def read_template(cfn: CloudFormationClient, claims: LinkClaims) -> str:
    """GetTemplate, TemplateStage=Original, as text (JSON too: botocore's hook that turns a
    JSON body into a dict is removed from this client), for the diff of keeping the change."""
    cfn.meta.events.unregister("after-call.cloudformation.GetTemplate", json_decode_template_body)
    body: Any = cfn.get_template(StackName=claims.stack_id, TemplateStage="Original").get(
        "TemplateBody"
    )
    return json.dumps(body, indent=2) if isinstance(body, dict) else str(body or "")


def read_request(execution_arn: str) -> dict[str, Any]:
    """GetDurableExecutionHistory (with data), every page: the request's checkpointed details
    (`Request`) and, once answered, the answer (`Answer`, the raw JSON)."""
    found: dict[str, Any] = {}
    marker: str | None = None
    for _ in range(20):  # a run's history is a few hundred events at most
        kwargs: dict[str, Any] = {
            "DurableExecutionArn": execution_arn,
            "IncludeExecutionData": True,
        }
        if marker:
            kwargs["Marker"] = marker
        page = _lambda().get_durable_execution_history(**kwargs)
        for event in page.get("Events", []):
            step = event.get("StepSucceededDetails")
            if step and event.get("Name") == REQUEST_STEP_NAME:
                found["Request"] = _json(step.get("Result", {}).get("Payload"))
            answered = event.get("CallbackSucceededDetails")
            if answered:
                found["Answer"] = answered.get("Result", {}).get("Payload")
            if event.get("CallbackTimedOutDetails"):
                found["TimedOut"] = True
        marker = page.get("NextMarker")
        if not marker:
            break
    return found


def send_answer(callback_id: str, answer_json: str) -> None:
    """SendDurableExecutionCallbackSuccess: completes the callback (final)."""
    _lambda().send_durable_execution_callback_success(
        CallbackId=callback_id, Result=answer_json.encode()
    )


def _json(payload: str | None) -> Any:
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return None
