"""``drift-healer sandbox``: the local AWS sandbox and durable service, until Ctrl-C.

It prints what a person needs to use them from another shell (``export`` lines, example
commands that work as printed with AWS CLI v1 and v2), then the notices as they arrive.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from drift_healer_cli.local import EXAMPLES, create_inbox, local_aws

if TYPE_CHECKING:
    from sandbox.durable_service import DurableService
    from sandbox.emulator import AwsSandbox
    from sandbox.notices import Inbox

SAMPLE_STACK = "sample"


def healer_command() -> str:
    """How this shell can run ``drift-healer``: by name when it is on the PATH."""
    beside_python = Path(sys.executable).parent / "drift-healer"
    on_path = shutil.which("drift-healer")
    if on_path and Path(on_path).resolve() == beside_python.resolve():
        return "drift-healer"
    if beside_python.exists():
        return str(beside_python)
    return f"{sys.executable} -m drift_healer_cli"


def exports(sb: AwsSandbox, svc: DurableService, inbox: Inbox) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": sb.endpoint_url,
        # `drift-healer run` finds the sandbox's durable service by this one too
        "AWS_ENDPOINT_URL_LAMBDA": svc.endpoint_url,
        "AWS_REGION": sb.region,
        "AWS_DEFAULT_REGION": sb.region,  # boto3 reads this one, the AWS CLI both
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SNS_TOPIC_ARN": inbox.topic_arn,
    }


def example_commands(function_arn: str) -> list[str]:
    """Commands that work as printed, in any directory, with AWS CLI v1 and v2.

    The payload is a file (``fileb://``): v2 reads an inline ``--payload`` as base64 unless
    given ``--cli-binary-format raw-in-base64-out``, an option v1 rejects.
    """
    template, payload = EXAMPLES / "sample-stack.yaml", EXAMPLES / "review-sample.json"
    return [
        f"aws cloudformation create-stack --stack-name {SAMPLE_STACK} "
        f"--template-body file://{template}",
        "aws ssm put-parameter --name /drift-test/sample --value changed-by-hand --overwrite",
        f"ARN=$(aws lambda invoke --function-name {function_arn} --invocation-type Event "
        f"--payload fileb://{payload} --query DurableExecutionArn --output text /dev/null)",
        'aws lambda get-durable-execution --durable-execution-arn "$ARN"',
        f"{healer_command()} run --stack {SAMPLE_STACK}"
        "   # a review, phase by phase (BUSY while the run above holds the stack); --auto heals",
    ]


def banner(sb: AwsSandbox, svc: DurableService, inbox: Inbox, page_url: str = "") -> str:
    export_lines = "\n".join(f"  export {k}={v}" for k, v in exports(sb, svc, inbox).items())
    examples = "\n".join(f"  {line}" for line in example_commands(svc.function_arn))
    return f"""AWS sandbox (moto + CloudFormation drift): {sb.endpoint_url}
Durable execution service (Lambda API):    {svc.endpoint_url}
Function to invoke:  {svc.function_arn}
Notices:             {inbox.topic_arn} -> {inbox.queue_url}

Point the AWS CLI (v1 or v2) / boto3 at it, in the shell you use next:
{export_lines}

Then, for example (deploy the sample stack, change it by hand, let the healer review it):
{examples}

Approval that waits (the page's link is in the APPROVAL_REQUIRED notice below):
  {healer_command()} run --stack {SAMPLE_STACK} --wait-for-approval
  {healer_command()} pending;  {healer_command()} approve {SAMPLE_STACK}   # or reject --reason ...
  Approval page: {page_url or "(not running)"}

Sandbox control API: {sb.endpoint_url}/_sandbox/  (see docs/sandbox.md)
  GET timing | counts | faults;  POST timing | faults | faults/clear | stack-status | reset

Notices are printed below as they arrive. Ctrl-C stops."""


def print_notices_until_interrupted(sb: AwsSandbox, inbox: Inbox, out: TextIO) -> None:
    """Print notices as they arrive. An AWS error (the inbox emptied by a reset, say) is
    reported once and the inbox set up again: the sandbox keeps running."""
    failing = False
    while True:
        try:
            inbox.print_new(out, wait_seconds=1)
            failing = False
        except (ClientError, BotoCoreError) as error:
            if not failing:
                print(f"  (notice inbox: {error}; setting it up again)", file=out, flush=True)
            failing = True
            time.sleep(1)
            try:
                inbox = create_inbox(sb)
            except (ClientError, BotoCoreError):
                continue


def sandbox(args: argparse.Namespace) -> int:
    out = sys.stdout
    with local_aws(args.port, skip_time=False, phase_seconds=1.0) as (sb, svc, inbox, page):
        print(banner(sb, svc, inbox, page.url), file=out, flush=True)
        try:
            print_notices_until_interrupted(sb, inbox, out)
        except KeyboardInterrupt:
            print("\nStopping.", file=out)
    return 0
