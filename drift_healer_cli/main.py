"""``drift-healer``: the demo, a local sandbox to play with, and one run against any account.

    drift-healer demo [--fast]        deploy two stacks in a local sandbox, drift them, heal them
    drift-healer sandbox [--port N]   a local AWS sandbox + durable service until Ctrl-C
    drift-healer run --stack NAME     the workflow for one stack against the configured AWS

Each runs the real durable handler (functions/drift_healer) in a local durable execution
service (:mod:`sandbox.durable_service`) and starts it the way AWS does: Lambda ``Invoke``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import boto3

from drift_healer_cli import demo_stacks
from drift_healer_cli.follow import ExecutionResult, drift_lines, invoke_and_follow
from sandbox.clients import client
from sandbox.durable_service import DUMMY_CREDENTIALS, DurableService
from sandbox.notices import Inbox

if TYPE_CHECKING:
    from sandbox.emulator import AwsSandbox

HANDLER_PATH = Path(__file__).resolve().parent.parent / "functions" / "drift_healer"
TOPIC, QUEUE = "drift-healer-notices", "drift-healer-inbox"
SDK_LOGGER = "aws_durable_execution_sdk_python"


def _start_service(
    env: dict[str, str], *, region: str, skip_time: bool, timeout: float = 3600
) -> DurableService:
    """The durable service running the handler in-process (stop it with :func:`_stop`)."""
    service = DurableService.start(
        handler="app.lambda_handler",
        handler_path=HANDLER_PATH,
        function_name="drift-healer",
        env=env,
        skip_time=skip_time,
        region=region,
        execution_timeout=int(timeout) + 60,
    )
    return service


def _stop(service: DurableService) -> None:
    _shielded(service.stop)


def sandbox_env(sb: AwsSandbox, topic_arn: str) -> dict[str, str]:
    """The handler's environment against the sandbox: short polls (1 s, at most 2 s)."""
    polls = {
        f"{phase}_POLL_{edge}_SECONDS": seconds
        for phase in ("DETECTION", "CHANGE_SET", "EXECUTION")
        for edge, seconds in (("INITIAL", "1"), ("MAX", "2"))
    }
    region = {"AWS_REGION": sb.region, "AWS_DEFAULT_REGION": sb.region}
    return (
        DUMMY_CREDENTIALS
        | region
        | polls
        | {
            "AWS_ENDPOINT_URL": sb.endpoint_url,
            "SNS_TOPIC_ARN": topic_arn,
        }
    )


def _shielded(stop: Callable[[], None]) -> None:
    """Run a server's stop with Ctrl-C ignored, so a second Ctrl-C cannot leave it running."""
    if threading.current_thread() is not threading.main_thread():
        stop()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        stop()
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def local_aws(
    port: int, *, skip_time: bool, phase_seconds: float | None
) -> Iterator[tuple[AwsSandbox, DurableService, Inbox]]:
    """The AwsSandbox, a topic with a subscribed queue, and the durable service; stopped after."""
    from sandbox.emulator import AwsSandbox, Phase  # noqa: PLC0415 - moto loads slowly

    with ExitStack() as stack:
        sb = AwsSandbox.start(port=port)
        stack.callback(_shielded, sb.stop)
        if phase_seconds is not None:  # timing is process-wide: back to the defaults after
            stack.callback(sb.timing.reset)
            phase = Phase(seconds=phase_seconds, min_polls=0 if phase_seconds else 1)
            sb.timing.detection = sb.timing.change_set_create = sb.timing.execution = phase
        url, region = sb.endpoint_url, sb.region
        inbox = Inbox.create(client("sns", url, region), client("sqs", url, region), TOPIC, QUEUE)
        env = sandbox_env(sb, inbox.topic_arn)
        service = _start_service(env, region=region, skip_time=skip_time)
        stack.callback(_stop, service)
        yield sb, service, inbox


def run_execution(svc: DurableService, payload: dict[str, Any], timeout: float) -> ExecutionResult:
    return invoke_and_follow(svc.lambda_client(), svc.function_arn, payload, sys.stdout, timeout)


def demo(args: argparse.Namespace) -> int:
    out = sys.stdout
    fast: bool = args.fast
    began = time.monotonic()
    problems: list[str] = []
    print("cfn-drift-healer demo: the real durable workflow against a local AWS sandbox", file=out)
    with local_aws(0, skip_time=fast, phase_seconds=0.0 if fast else 1.0) as (sb, svc, inbox):
        print(
            f"  AWS sandbox:      {sb.endpoint_url} ({sb.region})\n"
            f"  Durable service:  {svc.endpoint_url}  function {svc.function_arn}\n"
            f"  Notices:          {inbox.topic_arn} -> {inbox.queue_url}",
            file=out,
        )
        account = demo_stacks.DemoAccount(sb.endpoint_url, sb.region)

        print("\n1. Deploy the stacks (CreateStack)", file=out)
        for stack in demo_stacks.STACKS:
            status = account.deploy(stack)
            params = " ".join(f"{k}={v}" for k, v in stack.parameters.items())
            print(f"  {stack.name}: {status}" + (f"  ({params})" if params else ""), file=out)
            if status != "CREATE_COMPLETE":
                problems.append(f"{stack.name} ended {status}, not CREATE_COMPLETE")
        if problems:
            return _finish(problems, began, out)

        print("\n2. Change them out of band (the services' own APIs)", file=out)
        for stack in demo_stacks.STACKS:
            for line in account.change_out_of_band(stack):
                print(f"  {line}", file=out)

        sample = demo_stacks.SAMPLE_STACK
        print(f"\n3. Review mode on {sample} (CreateChangeSetOnly: true)", file=out)
        payload = {"StackName": sample, "CreateChangeSetOnly": True}
        result = run_execution(svc, payload, timeout=120)
        record = result.record or {}
        lines = drift_lines(record)
        if record.get("ChangeSetId") and record.get("StackId"):
            lines += account.describe_change_set(record["StackId"], record["ChangeSetId"])
        print("\n".join(lines), file=out, flush=True)
        inbox.print_new(out, wait_seconds=5)
        if result.outcome != "REVIEW_REQUIRED":
            problems.append(f"review run on {sample} ended {result.outcome}")

        for number, stack in enumerate(demo_stacks.STACKS, start=4):
            print(f"\n{number}. Automatic mode on {stack.name}", file=out)
            result = run_execution(svc, {"StackName": stack.name}, timeout=120)
            inbox.print_new(out, wait_seconds=5)
            if result.outcome != "HEALED":
                problems.append(f"automatic run on {stack.name} ended {result.outcome}")

        print("\n6. The live values (read back with ssm/sqs/logs/s3)", file=out)
        for stack in demo_stacks.STACKS:
            for check in account.values(stack):
                print(check.render(), file=out)
                if not check.ok:
                    problems.append(f"{check.label} is {check.actual}, not {check.expected}")
    return _finish(problems, began, out)


def _finish(problems: list[str], began: float, out: TextIO) -> int:
    took = time.monotonic() - began
    if problems:
        print(f"\nDemo FAILED after {took:.1f} s:", *problems, sep="\n  - ", file=out)
        return 1
    print(f"\nDemo passed in {took:.1f} s: REVIEW_REQUIRED, HEALED, values restored.", file=out)
    return 0


def sandbox(args: argparse.Namespace) -> int:
    out = sys.stdout
    with local_aws(args.port, skip_time=False, phase_seconds=1.0) as (sb, svc, inbox):
        exports = {
            "AWS_ENDPOINT_URL": sb.endpoint_url,
            "AWS_ENDPOINT_URL_LAMBDA": svc.endpoint_url,
            "AWS_REGION": sb.region,
            "AWS_DEFAULT_REGION": sb.region,  # boto3 reads this one, the AWS CLI both
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "SNS_TOPIC_ARN": inbox.topic_arn,
        }
        export_lines = "\n".join(f"  export {k}={v}" for k, v in exports.items())
        payload = '{"StackName": "s", "CreateChangeSetOnly": true}'
        print(
            f"""AWS sandbox (moto + CloudFormation drift): {sb.endpoint_url}
Durable execution service (Lambda API):    {svc.endpoint_url}
Function to invoke:  {svc.function_arn}
Notices:             {inbox.topic_arn} -> {inbox.queue_url}

Point the AWS CLI / boto3 at it:
{export_lines}

Then, for example:
  aws cloudformation create-stack --stack-name s --template-body file://template.yaml
  aws lambda invoke --function-name {svc.function_arn} --invocation-type Event \\
      --cli-binary-format raw-in-base64-out --payload '{payload}' out.json
  aws lambda get-durable-execution --durable-execution-arn ARN
  drift-healer run --stack s --review     (in the same shell: follows the run phase by phase)

Sandbox control API: {sb.endpoint_url}/_sandbox/
  GET timing | counts | faults;  POST timing | faults | faults/clear | stack-status | reset

Notices are printed below as they arrive. Ctrl-C stops.""",
            file=out,
            flush=True,
        )
        try:
            while True:
                inbox.print_new(out, wait_seconds=1)
        except KeyboardInterrupt:
            print("\nStopping.", file=out)
    return 0


def _caller_env() -> dict[str, str]:
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


def run(args: argparse.Namespace) -> int:
    env = _caller_env()
    if args.topic_arn:
        env["SNS_TOPIC_ARN"] = args.topic_arn
    if not env.get("SNS_TOPIC_ARN"):
        print("error: set SNS_TOPIC_ARN (or --topic-arn): the topic for notices", file=sys.stderr)
        return 2
    region = env.get("AWS_REGION") or boto3.Session().region_name or "us-east-1"
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    service = _start_service(env, region=region, skip_time=False, timeout=args.timeout)
    try:
        payload = {"StackName": args.stack, "CreateChangeSetOnly": args.review}
        result = run_execution(service, payload, timeout=args.timeout)
    except TimeoutError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    finally:
        _stop(service)
    print(json.dumps(result.record or {"Status": result.status, "Error": result.error}, indent=2))
    return 0 if result.status == "SUCCEEDED" else 1  # failure outcomes fail the execution


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drift-healer", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show the handler's logs")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("demo", help="deploy, drift and heal two stacks in a local sandbox")
    p.add_argument("--fast", action="store_true", help="skip durable waits (for tests)")
    p.set_defaults(func=demo)
    p = commands.add_parser("sandbox", help="run the local sandbox until Ctrl-C")
    p.add_argument("--port", type=int, default=0, help="port of the AWS sandbox (default: free)")
    p.set_defaults(func=sandbox)
    p = commands.add_parser("run", help="heal one stack in the AWS the environment points at")
    p.add_argument("--stack", required=True, help="stack name or ID")
    p.add_argument("--review", action="store_true", help="create the change set only")
    p.add_argument("--timeout", type=float, default=3600, help="seconds to wait (default 3600)")
    p.add_argument("--topic-arn", help="SNS topic for the notice (default: $SNS_TOPIC_ARN)")
    p.set_defaults(func=run)
    return parser


def _configure_logging(verbose: bool) -> None:
    """Quiet by default (the outcome is printed; the SDK's tracebacks of failed steps are not)."""
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger(SDK_LOGGER).setLevel(logging.NOTSET if verbose else logging.CRITICAL)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None  # stop servers too
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
