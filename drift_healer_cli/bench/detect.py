"""``drift-healer bench detect``: time from an out-of-band change to its notice,
event-triggered vs the schedule, in the sandbox. It prints figures; it asserts nothing.

Each round, alice changes the sample stack's parameter from the console; the sandbox's
CloudTrail records it and emits the change event (after `--delivery` seconds, standing in for
CloudTrail's ~5 minutes), the trigger starts the stack's run, which settles `--settle`
seconds, heals, and publishes the notice. The scheduled path is not waited out: a change
lands at a uniformly random point of the schedule's interval, so it waits half the interval
on average and the whole of it at worst, plus the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from drift_healer_cli import demo_stacks
from drift_healer_cli.demo_trigger import TriggeredHeal, alice_changes, wait_for_notice
from drift_healer_cli.local import local_aws


def bench_detect(args: argparse.Namespace) -> int:
    out = sys.stdout
    with local_aws(0, skip_time=False, phase_seconds=args.phase_seconds) as (sb, svc, inbox, _):
        account = demo_stacks.DemoAccount(sb.endpoint_url, sb.region)
        account.deploy(demo_stacks.SAMPLE)
        sb.change_events.knobs.delay_seconds = args.delivery
        seconds: list[float] = []
        with TriggeredHeal(sb, svc, None, str(args.settle)):
            for n in range(args.rounds):
                changed = time.monotonic()
                alice_changes(sb, f"set by alice, round {n + 1}")
                notice = wait_for_notice(inbox, None, changed)
                took = time.monotonic() - changed
                what = f"{notice.attributes.get('outcome')} notice" if notice else "no notice"
                print(f"  round {n + 1}: change -> {what} in {took:.1f} s", file=out)
                if notice is not None:
                    seconds.append(took)
    if not seconds:
        print("no round produced a notice", file=out)
        return 1
    run = statistics.median(seconds) - args.delivery - args.settle
    interval = args.schedule_hours * 3600
    print(
        f"\nevent-triggered: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s"
        f" (delivery {args.delivery:g} s + settle {args.settle} s + the run {run:.1f} s)\n"
        f"schedule rate({args.schedule_hours:g} hours): mean {interval / 2 + run:,.0f} s, "
        f"worst {interval + run:,.0f} s (half / all of the interval + the same run)",
        file=out,
    )
    return 0


def add_parser(benches: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = benches.add_parser(
        "detect",
        help="time from an out-of-band change to its notice: event-triggered vs the schedule",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--rounds", type=int, default=3, help="changes to time (default 3)")
    p.add_argument("--settle", type=int, default=3, help="SETTLE_SECONDS (default 3)")
    p.add_argument(
        "--delivery", type=float, default=0.0, help="change-event delivery delay (default 0)"
    )
    p.add_argument(
        "--schedule-hours", type=float, default=24.0, help="the schedule's interval (default 24)"
    )
    p.add_argument(
        "--phase-seconds", type=float, default=1.0, help="each CloudFormation phase (default 1)"
    )
    p.set_defaults(func=bench_detect)
