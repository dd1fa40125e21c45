"""``drift-healer fleet``: heal every selected stack, with live progress and the digest."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from drift_healer_cli.fleet_runner import FleetOutcome, Progress, run_fleet
from drift_healer_cli.run import caller_env


def fleet_event(args: argparse.Namespace) -> dict[str, Any]:
    """The fleet event from the command line (the fleet validates it, as in Lambda)."""
    body: dict[str, Any] = {"CreateChangeSetOnly": not args.auto}
    for option, key in (
        ("region", "Regions"),
        ("account", "Accounts"),
        ("name", "Names"),
        ("pattern", "NamePatterns"),
        ("exclude", "Exclude"),
    ):
        values = getattr(args, option)
        if values:
            body[key] = list(values)
    if args.tag:
        body["Tags"] = dict(tag.split("=", 1) for tag in args.tag)
    if args.max_concurrency is not None:
        body["MaxConcurrency"] = args.max_concurrency
    if args.wait_for_approval:
        body["WaitForApproval"] = True
    return {"Fleet": body}


def describe(progress: Progress) -> str:
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(progress.done.items())) or "none yet"
    waiting = progress.done.get("REVIEW_REQUIRED", 0) + progress.done.get("WAITING_FOR_APPROVAL", 0)
    return (
        f"stacks done {progress.done_count} ({outcomes}), running {progress.running}, "
        f"waiting for review {waiting}"
    )


class FleetDisplay:
    """A live line on a terminal (rich), a line every `every` seconds elsewhere."""

    def __init__(self, out: TextIO, every: float = 10.0) -> None:
        self.console = Console(file=out)
        self.live = Live(Text("starting"), console=self.console, transient=True)
        self.every, self.last, self.ticks = every, "", 0.0
        self.out = out

    def __enter__(self) -> FleetDisplay:
        if self.console.is_terminal:
            self.live.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.console.is_terminal:
            self.live.stop()

    def update(self, progress: Progress) -> None:
        line = describe(progress)
        if self.console.is_terminal:
            self.live.update(Text(line))
            return
        self.ticks += 0.5
        if line != self.last and self.ticks >= self.every:
            print(f"  … {line}", file=self.out, flush=True)
            self.last, self.ticks = line, 0.0


def print_digest(outcome: FleetOutcome, out: TextIO) -> None:
    from fleet.digest import render_text  # noqa: PLC0415 - functions/fleet is on the path now

    if outcome.digest is None:
        print(f"The fleet failed: {outcome.error}", file=out)
        return
    print(render_text(outcome.digest), file=out, flush=True)


def fleet(args: argparse.Namespace) -> int:
    env = caller_env()
    if args.topic_arn:
        env["SNS_TOPIC_ARN"] = args.topic_arn
    where = env.get("AWS_ENDPOINT_URL") or "your AWS account (no AWS_ENDPOINT_URL set)"
    print(f"Fleet against {where}: {json.dumps(fleet_event(args))}", file=sys.stdout)
    with FleetDisplay(sys.stdout, args.progress_every) as display:
        outcome = run_fleet(
            fleet_event(args),
            env,
            skip_time=False,
            on_progress=display.update,
            timeout=args.timeout,
        )
    print(f"{describe(outcome.progress)}; {outcome.seconds:.1f} s\n", file=sys.stdout)
    print_digest(outcome, sys.stdout)
    if args.json and outcome.digest is not None:
        print(json.dumps(outcome.digest, indent=2))
    return 0 if outcome.digest is not None and not outcome.digest["Failed"] else 1
