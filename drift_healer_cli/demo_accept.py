"""The demo's "keep the change" step (issue 17): a YAML stack with comments is changed out
of band during an "incident", the change is accepted with AcceptDrift, and the demo prints
the diff, reads the live value back (unchanged) and checks the stack is in sync."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from drift_healer_cli.follow import ExecutionResult
from sandbox.clients import client

STACK = "drift-demo-keep"
QUEUE = "drift-demo-keep-jobs"
TEMPLATE = """\
# The jobs queue of the demo app.
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: drift-demo-keep-jobs
      VisibilityTimeout: 30  # seconds: raise it if jobs take longer
      DelaySeconds: 0
"""


def demo_accept(
    sb: Any,
    run: Callable[[dict[str, Any]], ExecutionResult],
    *,
    out: TextIO = sys.stdout,
) -> list[str]:
    cfn = client("cloudformation", sb.endpoint_url, sb.region)
    sqs = client("sqs", sb.endpoint_url, sb.region)
    cfn.create_stack(StackName=STACK, TemplateBody=TEMPLATE)
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "300"})
    print(
        f"  {STACK}: deployed; during an incident VisibilityTimeout was raised to 300 by "
        "hand, and it is right",
        file=out,
    )
    event = {
        "StackName": STACK,
        "AcceptDrift": True,
        "AcceptReason": "raised during the incident; jobs take 4 minutes",
        "AcceptedBy": "demo",
    }
    result = run(event)
    record = result.record or {}
    problems: list[str] = []
    if result.outcome != "ACCEPTED":
        return [f"the accept run on {STACK} ended {result.outcome}: {record.get('Reason')}"]
    accept = record.get("Accept") or {}
    print("  The diff to commit to the template's source:", file=out)
    for line in str(accept.get("Diff", "")).splitlines():
        print(f"    {line}", file=out)
    live = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    value = live["Attributes"]["VisibilityTimeout"]
    print(
        f"  {'✓' if value == '300' else '✗'} {QUEUE} VisibilityTimeout = {value} (kept)", file=out
    )
    if value != "300":
        problems.append(f"{QUEUE} VisibilityTimeout is {value}, not the kept 300")
    stored = cfn.get_template(StackName=STACK, TemplateStage="Original")["TemplateBody"]
    kept = "VisibilityTimeout: 300  # seconds" in stored
    print(f"  {'✓' if kept else '✗'} the stack's template holds it, comments kept", file=out)
    if not kept:
        problems.append("the stack's template does not hold the accepted value")
    status = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["DriftInformation"]
    in_sync = status["StackDriftStatus"] == "IN_SYNC"
    print(f"  {'✓' if in_sync else '✗'} drift status {status['StackDriftStatus']}", file=out)
    if not in_sync:
        problems.append(f"{STACK} is {status['StackDriftStatus']} after accepting")
    return problems
