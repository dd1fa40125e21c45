"""``drift-healer demo``: deploy two stacks in a local sandbox, drift them, review, heal."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from drift_healer_cli import demo_stacks
from drift_healer_cli.approvals import approve, reject
from drift_healer_cli.demo_accept import demo_accept
from drift_healer_cli.demo_trigger import demo_triggered_heal
from drift_healer_cli.follow import ExecutionResult, drift_lines
from drift_healer_cli.live import LiveProgress
from drift_healer_cli.local import STATE_TABLE, local_aws
from drift_healer_cli.watch import ExecutionFollower, invoke_and_follow, summary_lines
from sandbox.clients import client
from sandbox.durable_service import DurableService
from sandbox.notices import Inbox


def run_execution(svc: DurableService, payload: dict[str, Any], timeout: float) -> ExecutionResult:
    return invoke_and_follow(svc.lambda_client(), svc.function_arn, payload, sys.stdout, timeout)


def run_with_answer(
    svc: DurableService, inbox: Inbox, stack: str, decision: str, reason: str, *, fast: bool
) -> str | None:
    """A review run that waits for approval: its notice (with the page's link), then the
    CLI's answer, then the run followed to its end."""
    client = svc.lambda_client()
    payload = {"StackName": stack, "CreateChangeSetOnly": True, "WaitForApproval": True}
    started = client.invoke(
        FunctionName=svc.function_arn, InvocationType="Event", Payload=json.dumps(payload).encode()
    )
    arn = str(started["DurableExecutionArn"])
    print(f"  Invoke {json.dumps(payload)} -> execution {arn}", flush=True)
    asked = inbox.print_new(sys.stdout, wait_seconds=30)
    if not any(n.attributes.get("outcome") == "APPROVAL_REQUIRED" for n in asked):
        print("  (no APPROVAL_REQUIRED notice arrived)")
    elif not fast:
        print("  The run waits (no compute) until someone answers; open the link to see the page.")
    print(f"  $ drift-healer {decision} {stack} --reason {shlex.quote(reason)}", flush=True)
    answer = approve if decision == "approve" else reject
    answer(
        argparse.Namespace(
            stack=stack,
            reason=reason,
            by="demo",
            function=svc.function_arn,
            durable_endpoint=svc.endpoint_url,
        )
    )
    began = time.monotonic()
    with LiveProgress(sys.stdout, every_seconds=10) as progress:
        result = ExecutionFollower(client, arn, progress).follow(120)
    for line in summary_lines(result, time.monotonic() - began):
        print(line, flush=True)
    inbox.print_new(sys.stdout, wait_seconds=5)
    return result.outcome


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
    # A fallback poll that beats the event on a busy machine is normal operation, not a
    # failure; a run in which no wait ended on an event means the relay does not work.
    if not fast and (not lines or all("fallback" in line for line in lines)):
        problems.append("no wait of the run ended on CloudFormation's event")


def demo(args: argparse.Namespace) -> int:
    out = sys.stdout
    fast: bool = args.fast
    began = time.monotonic()
    problems: list[str] = []
    print("cfn-drift-healer demo: the real durable workflow against a local AWS sandbox", file=out)
    with local_aws(0, skip_time=fast, phase_seconds=0.0 if fast else 1.0) as (
        sb,
        svc,
        inbox,
        _page,
    ):
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
        problems += demo_reviews(svc, inbox, account, sample, fast=fast, out=out)

        print(f"\n4. Review that waits on {sample}: approved with the CLI", file=out)
        outcome = run_with_answer(svc, inbox, sample, "approve", "checked the diff", fast=fast)
        if outcome != "HEALED":
            problems.append(f"approved run on {sample} ended {outcome}")

        app = demo_stacks.STACKS[1].name
        print(f"\n5. Review that waits on {app}: rejected with the CLI", file=out)
        why = "the team fixes the template"
        outcome = run_with_answer(svc, inbox, app, "reject", why, fast=fast)
        if outcome != "REJECTED":
            problems.append(f"rejected run on {app} ended {outcome}")

        print(f"\n6. Automatic mode on {app}", file=out)
        result = run_execution(svc, {"StackName": app}, timeout=120)
        check_waits(result.record or {}, fast, problems, out)
        inbox.print_new(out, wait_seconds=5)
        if result.outcome != "HEALED":
            problems.append(f"automatic run on {app} ended {result.outcome}")

        print("\n7. The live values (read back with ssm/sqs/logs/s3)", file=out)
        for stack in demo_stacks.STACKS:
            for check in account.values(stack):
                print(check.render(), file=out)
                if not check.ok:
                    problems.append(f"{check.label} is {check.actual}, not {check.expected}")

        print("\n8. A fleet: every fleet-* stack in two regions, one digest", file=out)
        problems += demo_fleet(sb, inbox.topic_arn, fast=fast, out=out)
        inbox.receive()  # the stacks' own notices: the digest above says it all

        # --- issue 17: keep the change ---
        print("\n9. Keep the change: accept drift into the template (AcceptDrift)", file=out)
        problems += demo_accept(sb, lambda event: run_execution(svc, event, timeout=120), out=out)
        inbox.print_new(out, wait_seconds=5)

        print("\n10. Who changed it, healed a minute after the change (event-triggered)", file=out)
        problems += demo_triggered_heal(sb, svc, inbox, fast=fast, out=out)
        print("\n11. The report: the drift state table's history as a page", file=out)
        problems += demo_report(sb, Path(args.report_dir), out=out)
    return _finish(problems, began, out)


def demo_report(sb: Any, folder: Path, *, out: TextIO) -> list[str]:
    """`drift-healer report` on the runs above (read-only Scan of the state table)."""
    from drift_healer_cli.report import write_report  # noqa: PLC0415 - pygal loads on use

    page, data = write_report(client("dynamodb", sb.endpoint_url, sb.region), STATE_TABLE, folder)
    overall = data["Overall"]
    print(
        f"  {overall['Stacks']} stacks, {overall['Runs']} runs, {overall['DriftEvents']} drift "
        f"events, {overall['Remediated']} remediated "
        f"({overall['AutoRemediatedPercent']}% automatically)",
        file=out,
    )
    print(f"  Report: {page.resolve()}", file=out)
    return [] if overall["DriftEvents"] else ["the report found no drift events"]


def demo_fleet(sb: Any, topic_arn: str, *, fast: bool, out: TextIO) -> list[str]:
    """Deploy four small stacks in two regions, drift two, heal them with one fleet run."""
    from drift_healer_cli.fleet_command import print_digest  # noqa: PLC0415
    from drift_healer_cli.fleet_runner import run_fleet  # noqa: PLC0415
    from drift_healer_cli.local import sandbox_env  # noqa: PLC0415
    from sandbox.clients import client  # noqa: PLC0415

    regions = ("us-east-1", "eu-west-1")
    for region in regions:
        cfn, ssm = (
            client("cloudformation", sb.endpoint_url, region),
            client("ssm", sb.endpoint_url, region),
        )
        for name in ("fleet-web", "fleet-jobs"):
            parameter = {"Name": f"/{name}/mode", "Type": "String", "Value": "strict"}
            body = {"Resources": {"Mode": {"Type": "AWS::SSM::Parameter", "Properties": parameter}}}
            cfn.create_stack(StackName=name, TemplateBody=json.dumps(body))
            print(f"  {region} {name}: deployed", file=out)
        ssm.put_parameter(Name="/fleet-web/mode", Value="lax", Type="String", Overwrite=True)
        print(f"  {region} fleet-web: /fleet-web/mode changed by hand", file=out)
    event = {
        "Fleet": {
            "Regions": list(regions),
            "NamePatterns": ["fleet-*"],
            "CreateChangeSetOnly": False,
        }
    }
    print(f"  {json.dumps(event)}", file=out, flush=True)
    outcome = run_fleet(event, sandbox_env(sb, topic_arn), skip_time=fast, timeout=300)
    print(file=out)
    print_digest(outcome, out)
    digest = outcome.digest or {}
    if (digest.get("Checked"), digest.get("Healed")) != (4, 2):
        return [f"the fleet run ended {outcome.error or digest.get('Outcomes')}"]
    return []


def demo_reviews(
    svc: DurableService,
    inbox: Inbox,
    account: demo_stacks.DemoAccount,
    sample: str,
    *,
    fast: bool,
    out: TextIO,
) -> list[str]:
    """Steps 3 and 3b: a review run, then the next scheduled one staying quiet."""
    problems: list[str] = []
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

    print(f"\n3b. The next scheduled review run on {sample}: the drift has not changed", file=out)
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
    return problems


def _finish(problems: list[str], began: float, out: TextIO) -> int:
    took = time.monotonic() - began
    if problems:
        print(f"\nDemo FAILED after {took:.1f} s:", *problems, sep="\n  - ", file=out)
        return 1
    print(
        f"\nDemo passed in {took:.1f} s: REVIEW_REQUIRED (then quiet), approved and HEALED, "
        "REJECTED, HEALED, values restored, a fleet healed in two regions, a change kept "
        "(ACCEPTED), a triggered heal naming who changed it, the report written.",
        file=out,
    )
    return 0
