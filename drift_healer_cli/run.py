"""``drift-healer run``: the workflow for one stack, followed phase by phase.

Two ways to run it:

* on a running durable execution service (``--durable-endpoint`` or
  ``AWS_ENDPOINT_URL_LAMBDA``, which ``drift-healer sandbox`` exports): the execution is
  that service's, visible to ``aws lambda get-durable-execution`` there;
* otherwise in a durable service of its own, started here, with the handler in-process
  against whatever AWS the environment points at (the sandbox or an account).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from drift_healer_cli.follow import ExecutionResult
from drift_healer_cli.local import start_service, stop
from drift_healer_cli.watch import invoke_and_follow

DEFAULT_FUNCTION = "drift-healer:live"


def payload_of(args: argparse.Namespace) -> dict[str, Any]:
    """Review mode unless --auto: the deployed schedule's default too (ReviewMode=true)."""
    if getattr(args, "accept_drift", False):  # drift-healer accept (issue 17)
        accepting: dict[str, Any] = {"StackName": args.stack, "AcceptDrift": True}
        if args.reason:
            accepting["AcceptReason"] = args.reason
        if args.by:
            accepting["AcceptedBy"] = args.by
        return accepting
    payload: dict[str, Any] = {"StackName": args.stack, "CreateChangeSetOnly": not args.auto}
    if getattr(args, "wait_for_approval", False):
        payload["WaitForApproval"] = True
    return payload


def caller_env() -> dict[str, str]:
    """The caller's environment for the handler, with credentials resolved by boto3.

    The in-process handler gets dummy keys unless AWS_ACCESS_KEY_ID is set, so credentials
    from a profile or SSO are resolved here and passed on as keys.
    """
    env = dict(os.environ)
    if "AWS_ACCESS_KEY_ID" not in env:
        credentials = boto3.Session().get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
        if frozen is not None and frozen.access_key and frozen.secret_key:
            env["AWS_ACCESS_KEY_ID"] = frozen.access_key
            env["AWS_SECRET_ACCESS_KEY"] = frozen.secret_key
            if frozen.token:
                env["AWS_SESSION_TOKEN"] = frozen.token
    return env


def _report(result: ExecutionResult) -> int:
    print(json.dumps(result.record or {"Status": result.status, "Error": result.error}, indent=2))
    return 0 if result.status == "SUCCEEDED" else 1  # failure outcomes fail the execution


def run_on_service(args: argparse.Namespace, endpoint: str) -> int:
    """Invoke the function of a running durable service and follow its execution."""
    region = os.environ.get("AWS_REGION") or boto3.Session().region_name or "us-east-1"
    print(f"Durable execution service {endpoint}, function {args.function}", flush=True)
    if args.topic_arn:
        print("note: --topic-arn is ignored: that function has its own topic", file=sys.stderr)
    client = boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=region,
        config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=120),
    )
    try:
        result = invoke_and_follow(
            client,
            args.function,
            payload_of(args),
            sys.stdout,
            args.timeout,
            progress_every=args.progress_every,
        )
    except EndpointConnectionError as problem:
        print(
            f"error: {problem}\n(is `drift-healer sandbox` still running? Unset "
            "AWS_ENDPOINT_URL_LAMBDA to run the handler here instead.)",
            file=sys.stderr,
        )
        return 2
    except BotoCoreError as problem:  # no credentials, a bad endpoint URL, ...
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except ClientError as problem:
        print(f"error: {endpoint}: {problem}", file=sys.stderr)
        return 2
    except TimeoutError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return _report(result)


def run_here(args: argparse.Namespace) -> int:
    """Start a durable service of our own with the handler in-process, and run it there."""
    env = caller_env()
    if args.topic_arn:
        env["SNS_TOPIC_ARN"] = args.topic_arn
    if not env.get("SNS_TOPIC_ARN"):
        print("error: set SNS_TOPIC_ARN (or --topic-arn): the topic for notices", file=sys.stderr)
        return 2
    region = env.get("AWS_REGION") or boto3.Session().region_name or "us-east-1"
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    if not (env.get("AWS_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL_CLOUDFORMATION")):
        print(
            f"note: AWS_ENDPOINT_URL is not set: this run calls the real AWS in {region} with "
            "your credentials.\n      For the local sandbox, start `drift-healer sandbox` and "
            "paste its export lines.",
            file=sys.stderr,
            flush=True,
        )
    if not env.get("AWS_ACCESS_KEY_ID"):
        print("error: no AWS credentials found (environment, profile or SSO)", file=sys.stderr)
        return 2
    service = start_service(env, region=region, skip_time=False, timeout=args.timeout)
    try:
        result = invoke_and_follow(
            service.lambda_client(),
            service.function_arn,
            payload_of(args),
            sys.stdout,
            args.timeout,
            progress_every=args.progress_every,
        )
    except TimeoutError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    finally:
        stop(service)
    return _report(result)


def run(args: argparse.Namespace) -> int:
    endpoint = args.durable_endpoint or os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
    return run_on_service(args, endpoint) if endpoint else run_here(args)
