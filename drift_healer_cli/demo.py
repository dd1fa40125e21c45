"""``drift-healer demo``: deploy two stacks in a local sandbox, drift them, review, heal."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

from drift_healer_cli import demo_stacks
from drift_healer_cli.follow import ExecutionResult, drift_lines
from drift_healer_cli.local import local_aws
from drift_healer_cli.watch import invoke_and_follow
from sandbox.durable_service import DurableService


def run_execution(svc: DurableService, payload: dict[str, Any], timeout: float) -> ExecutionResult:
    return invoke_and_follow(svc.lambda_client(), svc.function_arn, payload, sys.stdout, timeout)


def wait_lines(record: dict[str, Any]) -> list[str]:
    """One line per event-driven wait: did CloudFormation's event end it, or a fallback poll?"""
    lines = []
    for phase, seen in (record.get("Phases") or {}).items():
        ended = seen.get("EndedOn")
        if ended is None:
            continue
        how = "CloudFormation's event (via the relay)" if ended == "event" else "a fallback poll"
        polls = seen.get("Polls", 0)
        lines.append(
            f"  wait-for-{phase}: ended on {how} after {seen.get('Seconds', 0):.1f} s, "
            f"{polls} Describe call{'s' if polls != 1 else ''}"
        )
    return lines


def check_waits(record: dict[str, Any], fast: bool, problems: list[str], out: TextIO) -> None:
    lines = wait_lines(record)
    print("\n".join(lines), file=out, flush=True)
    if not fast and (not lines or any("fallback" in line for line in lines)):
        problems.append("a wait did not end on CloudFormation's event")


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
        check_waits(record, fast, problems, out)
        inbox.print_new(out, wait_seconds=5)
        if result.outcome != "REVIEW_REQUIRED":
            problems.append(f"review run on {sample} ended {result.outcome}")

        print(
            f"\n3b. The next scheduled review run on {sample}: the drift has not changed", file=out
        )
        again = run_execution(svc, payload, timeout=120)
        repeated = inbox.print_new(out, wait_seconds=2)
        same = (again.record or {}).get("ChangeSetName") == record.get("ChangeSetName")
        print(
            f"  {again.outcome}, same change set: {'yes' if same else 'no'}, "
            f"notices sent: {len(repeated)} (unchanged drift stays quiet until a reminder is due)",
            file=out,
        )
        if again.outcome != "REVIEW_REQUIRED" or not same or repeated:
            problems.append("the second review run was not quiet on unchanged drift")

        for number, stack in enumerate(demo_stacks.STACKS, start=4):
            print(f"\n{number}. Automatic mode on {stack.name}", file=out)
            result = run_execution(svc, {"StackName": stack.name}, timeout=120)
            check_waits(result.record or {}, fast, problems, out)
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
