"""``drift-healer bench heal``: how long after CloudFormation a heal's waits end, per mode.

The same drifted stack is healed with polling waits, with event-driven waits, with event-
driven waits whose events are all lost (the relay never proven: fallback rounds on the
polling schedule), and with events lost after the first one arrived (the detection's event
proves the relay; the execution's is lost and waited out on the long fallback schedule).
CloudFormation's phase times and the healer's intervals (poll policies and event fallbacks)
are divided by the same `--scale` factor, so a 15-minute update takes 90 s at the default
scale 10; intervals are whole seconds (durable waits have 1 s resolution), so the shortest
ones are rounded up.
Verification is switched off: it is the detection wait again.

Per phase (detection, execution) and mode it prints CloudFormation's own time, how long
after it the wait ended (absolute and %), Describe calls, the handler invocations that
resumed the wait, and the operations those invocations replayed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drift_healer_cli.local import (
    EVENT_WAITS,
    create_inbox,
    create_state_table_in,
    sandbox_env,
    start_service,
    stop,
    subscribe_relay,
)

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python.execution import DurableExecutionInvocationInput

    from sandbox.durable_service import DurableService
    from sandbox.emulator import AwsSandbox

MODES = ("polling", "events", "events-dropped", "events-lost-later")
PHASES = ("detection", "execution")
# The healer's defaults (healer.settings, healer.waits.settings), in real seconds.
DEFAULT_POLLS = {"DETECTION": (5, 30), "EXECUTION": (10, 60), "CHANGE_SET": (5, 30)}
DEFAULT_FALLBACK = (30, 900)
# An invocation whose replayed history ends with one of these operations resumes that wait.
PHASE_MARKS = {
    "detection": ("wait-for-detection", "start-detection"),
    "execution": ("wait-for-execution", "execute-change-set"),
}


def add_parser(benches: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = benches.add_parser(
        "heal",
        help="overshoot, Describe calls and invocations: polling vs event-driven waits",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--phases",
        default=None,
        help="CloudFormation phase lengths in real seconds, comma-separated (default 20,90,900;"
        " with --end-to-end 20,45,120)",
    )
    p.add_argument(
        "--scale",
        type=float,
        default=None,
        help="divide every time by this (default 10; with --end-to-end 1: a real clock)",
    )
    p.add_argument(
        "--modes",
        default=None,
        help=f"comma-separated, of {', '.join(MODES)} (with --end-to-end: events, polling)",
    )
    p.add_argument(
        "--end-to-end",
        action="store_true",
        help="the whole heal (detection, change set, execution, verification each S seconds),"
        " each stack healed twice: without history, then with it (end_to_end.py)",
    )
    p.add_argument(
        "--runs", type=int, default=2, help="with --end-to-end: heals per stack (default 2)"
    )
    p.set_defaults(func=bench_heal)


def scaled(seconds: float, scale: float) -> str:
    return str(max(1, math.ceil(seconds / scale)))


@dataclass
class Invocations:
    """Handler invocations per execution, attributed to the wait they resumed: the last
    operation of the replayed history belongs to it."""

    by_phase: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    marks: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(PHASE_MARKS))

    def __call__(self, envelope: DurableExecutionInvocationInput) -> None:
        operations = envelope.initial_execution_state.operations
        last = operations[-1].name or "" if operations else ""
        phase = next((p for p, marks in self.marks.items() if last.startswith(marks)), None)
        if phase is not None:
            with self.lock:
                self.by_phase[(envelope.durable_execution_arn, phase)].append(len(operations))


@dataclass
class Row:
    length: float
    mode: str
    phase: str
    cloudformation: float
    waited: float
    describes: int
    invocations: int
    replayed: int
    ended_on: str

    @property
    def overshoot(self) -> float:
        return self.waited - self.cloudformation


def bench_heal(args: argparse.Namespace) -> int:
    if args.end_to_end:
        from drift_healer_cli.bench import end_to_end  # noqa: PLC0415

        return end_to_end.bench(args)
    from sandbox.emulator import AwsSandbox, Phase  # noqa: PLC0415 - moto loads slowly

    args.phases = args.phases or "20,90,900"
    args.scale = args.scale or 10.0
    args.modes = args.modes or ",".join(MODES)
    lengths = [float(x) for x in args.phases.split(",") if x.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - set(MODES)
    if unknown or not lengths or args.scale <= 0:
        print(f"bad arguments: modes {sorted(unknown)} / phases / scale", file=sys.stderr)
        return 2
    rows: list[Row] = []
    sb = AwsSandbox.start(port=0)
    try:
        topic = create_inbox(sb).topic_arn
        table = create_state_table_in(sb)
        for mode in modes:
            with _service(sb, topic, table, mode, args.scale) as (service, counts):
                for length in lengths:
                    seconds = length / args.scale
                    sb.timing.detection = sb.timing.execution = Phase(seconds, 0)
                    sb.timing.change_set_create = Phase(0.0, 0)
                    sb.events.knobs.drop = mode == "events-dropped"
                    with _lose_events_after_the_first(sb, mode == "events-lost-later"):
                        rows += _heal_once(
                            sb, service, counts, mode=mode, length=length, seconds=seconds
                        )
                    print(f"  {mode:15} {length:>6g} s: done", file=sys.stderr, flush=True)
    finally:
        sb.stop()
    print(render(rows, args.scale))
    return 0


@contextmanager
def _service(
    sb: AwsSandbox, topic: str, table: str, mode: str, scale: float
) -> Iterator[tuple[DurableService, Invocations]]:
    env = sandbox_env(sb, topic, table)
    env |= {
        f"{phase}_POLL_{edge}_SECONDS": scaled(value, scale)
        for phase, (initial, cap) in DEFAULT_POLLS.items()
        for edge, value in (("INITIAL", initial), ("MAX", cap))
    }
    env["VERIFY_AFTER_HEAL"] = "false"
    if mode == "polling":
        env = {k: v for k, v in env.items() if k not in EVENT_WAITS}
    else:
        env["EVENT_FALLBACK_INITIAL_SECONDS"] = scaled(DEFAULT_FALLBACK[0], scale)
        env["EVENT_FALLBACK_MAX_SECONDS"] = scaled(DEFAULT_FALLBACK[1], scale)
    service = start_service(env, region=sb.region, skip_time=False)
    counts = Invocations()
    service.runner.observers.append(counts)
    unsubscribe = subscribe_relay(sb, service, table) if mode != "polling" else None
    try:
        yield service, counts
    finally:
        if unsubscribe:
            unsubscribe()
        stop(service)


@contextmanager
def _lose_events_after_the_first(sb: AwsSandbox, lose: bool) -> Iterator[None]:
    """A second target on the bus: every event after the first drift detection event (the
    one that proves the relay) is lost."""

    def drop_the_rest(event: dict[str, Any]) -> None:
        if event.get("detail-type") == "CloudFormation Drift Detection Status Change":
            sb.events.knobs.drop = True

    unsubscribe = sb.events.subscribe(drop_the_rest) if lose else None
    try:
        yield
    finally:
        if unsubscribe:
            unsubscribe()
        sb.events.knobs.drop = False


def deploy_parameter_stack(sb: AwsSandbox, name: str) -> None:
    """A stack of one SSM parameter `/<name>/p`, the benchmarks' subject."""
    template = {
        "Resources": {
            "Param": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": f"/{name}/p", "Type": "String", "Value": "initial"},
            }
        }
    }
    sb.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def drift_parameter(sb: AwsSandbox, name: str, value: str) -> None:
    sb.client("ssm").put_parameter(Name=f"/{name}/p", Value=value, Overwrite=True)


def heal_until_done(
    service: DurableService, name: str, *, poll_seconds: float
) -> tuple[str, dict[str, Any]]:
    """Start a heal of `name` and wait for it: its execution ARN and result (HEALED, or an
    error naming the outcome)."""
    lam = service.lambda_client()
    arn = lam.invoke(
        FunctionName=service.function_arn,
        InvocationType="Event",
        Payload=json.dumps({"StackName": name}).encode(),
    )["DurableExecutionArn"]
    while (run := lam.get_durable_execution(DurableExecutionArn=arn))["Status"] in {
        "RUNNING",
        "PENDING",
    }:
        time.sleep(poll_seconds)
    record: dict[str, Any] = json.loads(run.get("Result") or "{}")
    if record.get("Outcome") != "HEALED":
        raise RuntimeError(f"{name}: {record.get('Outcome')} {record.get('Reason')}")
    return str(arn), record


def _heal_once(
    sb: AwsSandbox,
    service: DurableService,
    counts: Invocations,
    *,
    mode: str,
    length: float,
    seconds: float,
) -> list[Row]:
    name = f"bench-{mode}-{int(length)}"
    deploy_parameter_stack(sb, name)
    drift_parameter(sb, name, "drifted")
    arn, record = heal_until_done(service, name, poll_seconds=0.2)
    rows = []
    for phase in PHASES:
        seen = record["Phases"][phase]
        resumed = counts.by_phase.get((arn, phase), [])
        rows.append(
            Row(
                length=length,
                mode=mode,
                phase=phase,
                cloudformation=seconds,
                waited=float(seen["Seconds"]),
                describes=int(seen["Polls"]),
                invocations=len(resumed),
                replayed=sum(resumed),
                ended_on=str(seen.get("EndedOn") or "poll"),
            )
        )
    return rows


def render(rows: list[Row], scale: float) -> str:
    head = (
        f"Times in sandbox seconds (real phase length / {scale:g}). Overshoot: how long after "
        "CloudFormation finished the wait ended. Invocations: handler invocations that resumed "
        "the wait; replayed: operations they replayed.\n\n"
        "| phase (real) | wait | mode | CloudFormation | overshoot | Describe calls "
        "| invocations | replayed ops | ended on |\n|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    order = {mode: n for n, mode in enumerate(MODES)}
    for r in sorted(rows, key=lambda r: (r.length, PHASES.index(r.phase), order[r.mode])):
        pct = 100 * r.overshoot / r.cloudformation if r.cloudformation else 0.0
        lines.append(
            f"| {r.length:g} s | {r.phase} | {r.mode} | {r.cloudformation:.1f} s "
            f"| {r.overshoot:.1f} s ({pct:.0f} %) | {r.describes} | {r.invocations} "
            f"| {r.replayed} | {r.ended_on} |"
        )
    return "\n".join(lines)
