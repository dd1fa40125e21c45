"""``drift-healer bench heal --end-to-end``: a whole heal against CloudFormation's own time.

Every CloudFormation phase (drift detection, change-set creation, execution, verification)
takes S seconds, so CloudFormation's own time is 4 x S. Each stack is healed twice, in
event mode (the drift state table and the relay, as the template deploys) and in polling
mode (the table, WAIT_MODE=polling): the first run has no history; the next ones are drifted
again and healed with the first run's durations in the drift state (PhaseSeconds) and, in
event mode, with the relay's delivery remembered (RelayDeliveredAt). The healer's
production defaults are used (poll policies 5 -> 30 s / 10 -> 60 s, event fallback
30 -> 900 s), divided by `--scale` like the phases (default 1: a real clock).

Per run it prints the wall time (invoke to the end of the execution), CloudFormation's
time, the overshoot (absolute and % of CloudFormation's time), and per phase the Describe
calls and the handler invocations that resumed that wait. Both modes of one S run at once
(different stacks); the phase lengths, which the sandbox applies to every stack, one after
the other. `--runs` (default 2) heals each stack that many times. A benchmark, not a test:
it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drift_healer_cli.bench.heal import (
    DEFAULT_FALLBACK,
    DEFAULT_POLLS,
    Invocations,
    deploy_parameter_stack,
    drift_parameter,
    heal_until_done,
    scaled,
)
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
    from sandbox.durable_service import DurableService
    from sandbox.emulator import AwsSandbox

MODES = ("events", "polling")
PHASES = ("detection", "change_set", "execution", "verification")
MARKS = {
    "detection": ("wait-for-detection", "start-detection"),
    "change_set": ("wait-for-change-set", "create-change-set"),
    "execution": ("wait-for-execution", "execute-change-set"),
    "verification": ("wait-for-verification", "start-verification"),
}


@dataclass
class Run:
    length: float  # S, real seconds
    mode: str
    history: int  # earlier runs of this stack (their durations are in PhaseSeconds)
    seconds: float  # S in sandbox seconds (length / scale)
    wall: float
    # phase -> (Describes, invocations, ended on, how long the wait took)
    phases: dict[str, tuple[int, int, str, float]]

    @property
    def cloudformation(self) -> float:
        return len(PHASES) * self.seconds

    @property
    def overshoot(self) -> float:
        return self.wall - self.cloudformation

    @property
    def waits_overshoot(self) -> float:
        """The waits' part: how much longer than CloudFormation the four waits took (the
        rest of the overshoot is the run's other steps)."""
        return sum(p[3] for p in self.phases.values()) - self.cloudformation


def bench(args: argparse.Namespace) -> int:
    from sandbox.emulator import AwsSandbox, Phase  # noqa: PLC0415 - moto loads slowly

    scale = args.scale or 1.0
    lengths = [float(x) for x in (args.phases or "20,45,120").split(",") if x.strip()]
    modes = [m.strip() for m in (args.modes or ",".join(MODES)).split(",") if m.strip()]
    if set(modes) - set(MODES) or not lengths or scale <= 0:
        print(f"bad arguments: modes of {', '.join(MODES)} / phases / scale", file=sys.stderr)
        return 2
    runs: list[Run] = []
    sb = AwsSandbox.start(port=0)
    services: dict[str, tuple[DurableService, Invocations]] = {}
    unsubscribe = None
    try:
        topic = create_inbox(sb).topic_arn
        table = create_state_table_in(sb)
        for mode in modes:
            services[mode] = _service(sb, topic, table, mode, scale)
        if "events" in services:
            unsubscribe = subscribe_relay(sb, services["events"][0], table)
        for length in lengths:
            seconds = length / scale
            sb.timing.detection = sb.timing.execution = Phase(seconds, 0)
            sb.timing.change_set_create = Phase(seconds, 0)
            with ThreadPoolExecutor(max_workers=len(modes)) as pool:
                pending = [
                    pool.submit(
                        _heal_runs,
                        sb,
                        *services[mode],
                        mode=mode,
                        length=length,
                        seconds=seconds,
                        runs=args.runs,
                    )
                    for mode in modes
                ]
                for future in pending:
                    runs += future.result()
            print(f"  S = {length:g} s: done", file=sys.stderr, flush=True)
    finally:
        if unsubscribe:
            unsubscribe()
        for service, _ in services.values():
            stop(service)
        sb.stop()
    print(render(runs, scale))
    return 0


def _service(
    sb: AwsSandbox, topic: str, table: str, mode: str, scale: float
) -> tuple[DurableService, Invocations]:
    env = sandbox_env(sb, topic, table)
    env |= {
        f"{phase}_POLL_{edge}_SECONDS": scaled(value, scale)
        for phase, (initial, cap) in DEFAULT_POLLS.items()
        for edge, value in (("INITIAL", initial), ("MAX", cap))
    }
    if mode == "polling":
        env = {k: v for k, v in env.items() if k not in EVENT_WAITS} | {"WAIT_MODE": "polling"}
    else:
        env["EVENT_FALLBACK_INITIAL_SECONDS"] = scaled(DEFAULT_FALLBACK[0], scale)
        env["EVENT_FALLBACK_MAX_SECONDS"] = scaled(DEFAULT_FALLBACK[1], scale)
    service = start_service(env, region=sb.region, skip_time=False)
    counts = Invocations(marks=dict(MARKS))
    service.runner.observers.append(counts)
    return service, counts


def _heal_runs(
    sb: AwsSandbox,
    service: DurableService,
    counts: Invocations,
    *,
    mode: str,
    length: float,
    seconds: float,
    runs: int,
) -> list[Run]:
    name = f"e2e-{mode}-{int(length)}"
    deploy_parameter_stack(sb, name)
    done = []
    for history in range(runs):
        drift_parameter(sb, name, f"drifted {history}")
        ran = _heal(service, counts, name)
        done.append(Run(length, mode, history, seconds, *ran))
    return done


def _heal(
    service: DurableService, counts: Invocations, name: str
) -> tuple[float, dict[str, tuple[int, int, str, float]]]:
    """Heal `name` once: the wall time, and per phase (Describes, invocations, ended on)."""
    started = time.monotonic()
    arn, record = heal_until_done(service, name, poll_seconds=0.05)
    wall = time.monotonic() - started
    phases = {}
    for phase in PHASES:
        seen = record["Phases"][phase]
        resumed = counts.by_phase.get((arn, phase), [])
        ended_on = str(seen.get("EndedOn") or "poll")
        phases[phase] = (int(seen["Polls"]), len(resumed), ended_on, float(seen["Seconds"]))
    return wall, phases


def render(runs: list[Run], scale: float) -> str:
    head = (
        f"Every CloudFormation phase takes S (sandbox seconds: S / {scale:g}); CloudFormation's "
        "time is 4 x S. Per phase: Describe calls / handler invocations that resumed the wait "
        "(e = ended on its event). History: how many earlier runs the drift state remembers.\n\n"
        "| S | mode | history | wall | CloudFormation | overshoot | of which waits "
        "| detection | change set | execution | verification |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in sorted(runs, key=lambda r: (r.length, MODES.index(r.mode), r.history)):
        pct = 100 * r.overshoot / r.cloudformation if r.cloudformation else 0.0
        cells = [
            f"{d} / {i}{' e' if ended == 'event' else ''}"
            for d, i, ended, _ in (r.phases[p] for p in PHASES)
        ]
        lines.append(
            f"| {r.length:g} s | {r.mode} | {r.history or 'no'} | {r.wall:.1f} s "
            f"| {r.cloudformation:.1f} s | {r.overshoot:+.1f} s ({pct:.0f} %) "
            f"| {r.waits_overshoot:+.1f} s | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)
